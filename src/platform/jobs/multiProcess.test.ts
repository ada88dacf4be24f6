import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { platformMigrations } from '../db/platformMigrations.js';
import { createLogger } from '../log/logger.js';
import { STACK, tempDir, testConfig } from '../../test-support/stack.js';
import { createJobQueue } from './dbJobQueue.js';

const WORKER = fileURLToPath(new URL('./testing/workerProcess.ts', import.meta.url));

/**
 * In one process SQLite calls are synchronous, so in-process workers cannot interleave a claim;
 * real processes can, on both dialects. This is the test that the claim holds across them.
 */
describe(`job workers in separate processes (${STACK} stack)`, () => {
  const workers: ChildProcess[] = [];
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill();
  });

  it('a job whose worker process was killed runs again elsewhere once its lease expires', { timeout: 60_000 }, async () => {
    const config = (await testConfig()).database;
    const database = await openDatabase(config);
    await migrate(database, [platformMigrations]);
    const logFile = join(tempDir(), 'runs.log');
    writeFileSync(logFile, '');
    const w = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: { ...process.env, TESSERA_WORKER_DB: JSON.stringify(config), TESSERA_WORKER_LOG: logFile, TESSERA_WORKER_LEASE_MS: '1500' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    workers.push(w);
    const jobs = createJobQueue(database, createLogger('silent'), { pollMs: 50, leaseMs: 1500 });
    const id = await jobs.enqueue('hang', null);
    while (!readFileSync(logFile, 'utf8').includes('hang')) await new Promise((r) => setTimeout(r, 20));
    const died = new Promise((r) => w.once('exit', r));
    w.kill('SIGKILL');
    await died;

    const reran: number[] = [];
    jobs.define('hang', { handler: async (_p, ctx) => void reran.push(ctx.attempt) });
    jobs.start();
    const deadline = Date.now() + 20_000;
    while ((await jobs.list()).find((j) => j.id === id)?.status !== 'done') {
      if (Date.now() > deadline) throw new Error('the orphaned job was never taken over');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(reran).toEqual([2]);
    await jobs.stop();
    await database.close();
  });

  it('three worker processes run each of 300 jobs exactly once', { timeout: 120_000 }, async () => {
    const config = (await testConfig()).database;
    const database = await openDatabase(config);
    await migrate(database, [platformMigrations]);
    const jobs = createJobQueue(database, createLogger('silent'));
    const logFile = join(tempDir(), 'runs.log');
    writeFileSync(logFile, '');

    const started: Promise<void>[] = [];
    const mine: ChildProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const w = spawn(process.execPath, ['--import', 'tsx', WORKER], {
        env: { ...process.env, TESSERA_WORKER_DB: JSON.stringify(config), TESSERA_WORKER_LOG: logFile },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      workers.push(w);
      mine.push(w);
      started.push(
        new Promise((resolve, reject) => {
          w.stdout!.on('data', (d: Buffer) => d.toString().includes('started') && resolve());
          w.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
        }),
      );
    }
    await Promise.all(started);

    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(await jobs.enqueue('work', { i }));
    const deadline = Date.now() + 90_000;
    while ((await jobs.counts()).done < ids.length) {
      if (Date.now() > deadline) throw new Error(`only ${(await jobs.counts()).done} of ${ids.length} jobs done`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const exits = mine.map((w) => new Promise<number | null>((r) => w.once('exit', (code) => r(code))));
    for (const w of mine) w.stdin!.end();
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);
    await database.close();

    const runs = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => l.split(' '));
    const perJob = new Map<string, number>();
    for (const [id] of runs) perJob.set(id!, (perJob.get(id!) ?? 0) + 1);
    expect([...perJob.keys()].sort()).toEqual([...ids].sort());
    expect([...perJob.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(runs.map(([, pid]) => pid)).size).toBeGreaterThan(1);
  });
});
