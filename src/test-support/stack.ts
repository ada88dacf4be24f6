import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../platform/config/config.js';

/**
 * Which stack the suite runs on. `embedded` (default): SQLite + local disk + in-process bus.
 * `server` (TESSERA_TEST_STACK=server): PostgreSQL, Redis and an S3 endpoint; every one must be
 * reachable, a missing one fails the run rather than skipping.
 */
export const STACK: 'embedded' | 'server' = process.env.TESSERA_TEST_STACK === 'server' ? 'server' : 'embedded';

export function serverStackEnv(): { databaseUrl: string; redisUrl: string; s3Endpoint: string } {
  const databaseUrl = process.env.TESSERA_TEST_DATABASE_URL;
  const redisUrl = process.env.TESSERA_TEST_REDIS_URL;
  const s3Endpoint = process.env.TESSERA_TEST_S3_ENDPOINT;
  if (!databaseUrl || !redisUrl || !s3Endpoint) {
    throw new Error('TESSERA_TEST_STACK=server needs TESSERA_TEST_DATABASE_URL, TESSERA_TEST_REDIS_URL and TESSERA_TEST_S3_ENDPOINT (the last is set by the test setup)');
  }
  return { databaseUrl, redisUrl, s3Endpoint };
}

/** A fresh PostgreSQL database on the test server, so test files never see each other's rows. */
export async function createPostgresDatabase(baseUrl: string): Promise<string> {
  const pg = await import('pg');
  // Named after the run (globalSetup), which drops its own databases when it ends.
  const name = `tessera_t_${process.env.TESSERA_TEST_RUN ?? 'solo'}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.default.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function tempDir(prefix = 'tessera-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Config for one test on the current stack: its own data folder, database, bucket prefix and
 * Redis channel space. `shared` reuses an existing database/data dir (two processes, restarts).
 */
export async function testConfig(
  overrides: Record<string, string | number | boolean> = {},
  shared?: { dataDir?: string; databaseUrl?: string; blobs?: string },
): Promise<Config> {
  const dataDir = shared?.dataDir ?? tempDir();
  const base: Record<string, string | number | boolean> = {
    dataDir,
    port: 0,
    host: '127.0.0.1',
    logLevel: process.env.TESSERA_TEST_LOG_LEVEL ?? 'silent',
    rateLimitPerMinute: 100000,
    secret: 'test-secret-test-secret-test-secret-0123456789',
  };
  if (STACK === 'server') {
    const env = serverStackEnv();
    base.databaseUrl = shared?.databaseUrl ?? (await createPostgresDatabase(env.databaseUrl));
    base.redisUrl = redisChannelSpace(env.redisUrl, String(base.databaseUrl));
    base.blobs = shared?.blobs ?? `s3://tessera-test/${randomBytes(6).toString('hex')}?endpoint=${encodeURIComponent(env.s3Endpoint)}&region=us-east-1&forcePathStyle=true`;
    base.s3AccessKeyId = 'S3RVER';
    base.s3SecretAccessKey = 'S3RVER';
  } else if (shared?.databaseUrl) {
    base.databaseUrl = shared.databaseUrl;
  }
  return loadConfig({}, { ...base, ...overrides } as never);
}

/**
 * Test servers run side by side on one Redis, whose pub/sub channels ignore the database number:
 * each database gets its own channel prefix, so a server hears only the processes that share its
 * database (a peer or a restart), never another test's invalidations.
 */
function redisChannelSpace(redisUrl: string, databaseUrl: string): string {
  const url = new URL(redisUrl);
  url.searchParams.set('prefix', `tessera-test:${new URL(databaseUrl).pathname.slice(1)}:`);
  return url.toString();
}
