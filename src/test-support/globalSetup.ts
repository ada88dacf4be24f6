import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the run one temporary folder of its own, removed at the end: every test server's data
 * folder, client scratch space and child process's temp files go under it (TMPDIR, which the test
 * workers and their children inherit), so runs leave nothing behind in /tmp.
 *
 * On the server stack it also starts an S3-compatible endpoint (s3rver) on loopback for the whole
 * run, and checks that PostgreSQL and Redis answer: an unreachable server fails the run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const runTmp = mkdtempSync(join(tmpdir(), 'tessera-run-'));
  process.env.TMPDIR = runTmp;
  const removeRunTmp = () => rmSync(runTmp, { recursive: true, force: true });
  if (process.env.TESSERA_TEST_STACK !== 'server') return async () => removeRunTmp();
  try {
    const stop = await startServerStack();
    return async () => {
      await stop();
      removeRunTmp();
    };
  } catch (e) {
    removeRunTmp();
    throw e;
  }
}

async function startServerStack(): Promise<() => Promise<void>> {
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

  // Test databases carry this run's name (stack.ts createPostgresDatabase); the teardown drops them.
  const run = randomBytes(4).toString('hex');
  process.env.TESSERA_TEST_RUN = run;

  const dir = mkdtempSync(join(tmpdir(), 'tessera-s3-'));
  const s3 = await startS3rver(dir, 0);
  const port = s3.port;
  process.env.TESSERA_TEST_S3_ENDPOINT = `http://127.0.0.1:${port}`;
  // Should s3rver still die, start it again on the same port and data so the run goes on.
  let current = s3;
  let stopping = false;
  const watch = (p: S3rverProcess): void => {
    p.child.once('exit', () => {
      if (stopping) return;
      void startS3rver(dir, port).then((next) => {
        current = next;
        watch(next);
      });
    });
  };
  watch(s3);
  return async () => {
    stopping = true;
    const child = current.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await dropRunDatabases(dbUrl, run);
  };
}

interface S3rverProcess {
  child: ChildProcess;
  port: number;
}

function startS3rver(dir: string, port: number): Promise<S3rverProcess> {
  const script = fileURLToPath(new URL('./s3rverProcess.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, port: Number(line) });
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before it was ready`)));
  });
}

/** The ~180 databases a run's test servers made (~1.5 GB), each named by the run; others' are left alone. */
async function dropRunDatabases(baseUrl: string, run: string): Promise<void> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname like $1', [`tessera_t_${run}_%`]);
    // Names are made by createPostgresDatabase (letters, digits, underscores), so they need no quoting.
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
