import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * On the server stack, starts an S3-compatible endpoint (s3rver) on loopback for the whole run,
 * and checks that PostgreSQL and Redis answer: an unreachable server fails the run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.TESSERA_TEST_STACK !== 'server') return async () => {};
  const dbUrl = process.env.TESSERA_TEST_DATABASE_URL;
  const redisUrl = process.env.TESSERA_TEST_REDIS_URL;
  if (!dbUrl || !redisUrl) throw new Error('TESSERA_TEST_STACK=server needs TESSERA_TEST_DATABASE_URL and TESSERA_TEST_REDIS_URL');

  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: dbUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (e) {
    throw new Error(`PostgreSQL at ${dbUrl} is not reachable: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Redis at ${redisUrl} is not reachable: ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }

  const { default: S3rver } = await import('s3rver');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-s3-'));
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'tessera-test', configs: [] }] });
  const { port } = await s3.run();
  process.env.TESSERA_TEST_S3_ENDPOINT = `http://127.0.0.1:${port}`;
  return async () => {
    await s3.close();
  };
}
