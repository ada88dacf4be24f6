import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { platformMigrations } from '../db/platformMigrations.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import type { Config } from '../config/config.js';
import { STACK, testConfig } from '../../test-support/stack.js';
import { createJobQueue, type JobQueueOptions } from './dbJobQueue.js';
import type { JobQueue, JobView } from './jobQueue.js';

const log = createLogger('silent');
const fast: JobQueueOptions = { pollMs: 50, defaultBackoffMs: 50 };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A migrated database of its own; `again` opens another connection (pool) to the same one. */
async function freshDatabase(): Promise<{ database: Database; config: Config['database']; again: () => Promise<Database> }> {
  const config = (await testConfig()).database;
  const again = async () => {
    const d = await openDatabase(config);
    cleanup.push(() => d.close());
    return d;
  };
  const database = await again();
  await migrate(database, [platformMigrations]);
  return { database, config, again };
}

function queue(database: Database, opts: JobQueueOptions = {}): JobQueue {
  const q = createJobQueue(database, log, { ...fast, ...opts });
  // Stopped before the databases close (cleanup runs in reverse order).
  cleanup.push(() => q.stop());
  return q;
}

async function waitForJob(q: JobQueue, id: string, status: JobView['status'], ms = 10_000): Promise<JobView> {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = (await q.list({ limit: 1000 })).find((j) => j.id === id);
    if (job?.status === status) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} is ${job?.status ?? 'missing'}, expected ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe(`durable jobs (${STACK} stack)`, () => {
  it('runs a job with its payload and reports it in list and counts', async () => {
    const { database } = await freshDatabase();
    const q = queue(database);
    const seen: unknown[] = [];
    q.define('mail.send', { handler: async (payload, ctx) => void seen.push({ payload, attempt: ctx.attempt }) });
    q.start();
    const id = await q.enqueue('mail.send', { to: 'alice@example.org' });
    const job = await waitForJob(q, id, 'done');
    expect(seen).toEqual([{ payload: { to: 'alice@example.org' }, attempt: 1 }]);
    expect(job).toMatchObject({ name: 'mail.send', attempts: 1, maxAttempts: 5, lastError: null });
    expect(await q.counts()).toEqual({ queued: 0, running: 0, done: 1, failed: 0 });
    expect((await q.list({ status: 'done' })).map((j) => j.id)).toEqual([id]);
    expect(await q.list({ status: 'failed' })).toEqual([]);
  });

  it('coalesces: while one job of a name is queued, enqueueing it again adds none; once it runs, a new one is queued', async () => {
    const { database } = await freshDatabase();
    const q = queue(database);
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.define('index.drain', {
      handler: async () => {
        runs++;
        await gate;
      },
    });
    const first = await q.enqueue('index.drain', null, { coalesce: true });
    expect(await q.enqueue('index.drain', null, { coalesce: true })).toBe(first);
    expect(await database.transaction((tx) => q.enqueue('index.drain', null, { coalesce: true, tx }))).toBe(first);
    expect((await q.counts()).queued).toBe(1);
    q.start();
    await waitForJob(q, first, 'running');
    // Running is not queued: work that arrives now needs a run of its own.
    const second = await q.enqueue('index.drain', null, { coalesce: true });
    expect(second).not.toBe(first);
    release();
    await waitForJob(q, first, 'done');
    await waitForJob(q, second, 'done');
    expect(runs).toBe(2);
  });

  it('retries with exponential backoff, then succeeds', async () => {
    const { database } = await freshDatabase();
    const q = queue(database);
    const times: number[] = [];
    q.define('flaky', {
      backoffMs: 150,
      handler: async () => {
        times.push(Date.now());
        if (times.length < 3) throw new Error(`temporary failure ${times.length}`);
      },
    });
    q.start();
    const id = await q.enqueue('flaky', null);
    const job = await waitForJob(q, id, 'done');
    expect(job.attempts).toBe(3);
    expect(job.lastError).toBeNull();
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(150);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(300);
  });

  it('fails for good after maxAttempts, keeps the last error, and can be retried', async () => {
    const { database } = await freshDatabase();
    const q = queue(database);
    let healthy = false;
    let calls = 0;
    q.define('broken', {
      maxAttempts: 2,
      backoffMs: 10,
      handler: async () => {
        calls++;
        if (!healthy) throw new Error('the mail server refused the message');
      },
    });
    q.start();
    const id = await q.enqueue('broken', {});
    const failed = await waitForJob(q, id, 'failed');
    expect(failed).toMatchObject({ attempts: 2, maxAttempts: 2, lastError: 'the mail server refused the message' });
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(2);

    await expect(q.retry('no-such-job')).rejects.toBeInstanceOf(NotFoundError);
    healthy = true;
    await q.retry(id);
    const done = await waitForJob(q, id, 'done');
    expect(done.attempts).toBe(1);
    await expect(q.retry(id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('fails a job whose name has no handler, saying so', async () => {
    const { database } = await freshDatabase();
    const q = queue(database);
    q.start();
    const id = await q.enqueue('nobody.handles.this', {});
    const job = await waitForJob(q, id, 'failed');
    expect(job.lastError).toMatch(/No handler is defined for job "nobody.handles.this"/);
  });

  it('enqueues inside the caller’s transaction: nothing on rollback, the job on commit', async () => {
    const { database } = await freshDatabase();
    const q = queue(database);
    const ran: unknown[] = [];
    q.define('tx.job', { handler: async (p) => void ran.push(p) });
    q.start();
    await expect(
      database.transaction(async (tx) => {
        await q.enqueue('tx.job', 'rolled back', { tx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const id = await database.transaction((tx) => q.enqueue('tx.job', 'committed', { tx }));
    await waitForJob(q, id, 'done');
    expect(ran).toEqual(['committed']);
    expect((await q.list()).length).toBe(1);
  });

  it('does not run a job before its runAt', async () => {
    const { database } = await freshDatabase();
    const q = queue(database);
    let ranAt = 0;
    q.define('later', { handler: async () => void (ranAt = Date.now()) });
    q.start();
    const due = Date.now() + 400;
    const id = await q.enqueue('later', null, { runAt: new Date(due) });
    await waitForJob(q, id, 'done');
    expect(ranAt).toBeGreaterThanOrEqual(due);
  });

  it('wakes at once on enqueue, even with a slow idle poll', async () => {
    const { database } = await freshDatabase();
    const q = queue(database, { pollMs: 10_000 });
    q.define('quick', { handler: async () => {} });
    q.start();
    await new Promise((r) => setTimeout(r, 100)); // let the first (empty) poll pass
    const started = Date.now();
    const id = await q.enqueue('quick', null);
    await waitForJob(q, id, 'done', 2000);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stop() waits for running jobs to finish', async () => {
    const { database } = await freshDatabase();
    const q = createJobQueue(database, log, fast);
    let finished = false;
    q.define('slow', {
      handler: async () => {
        await new Promise((r) => setTimeout(r, 300));
        finished = true;
      },
    });
    q.start();
    const id = await q.enqueue('slow', null);
    await waitForJob(q, id, 'running');
    await q.stop();
    expect(finished).toBe(true);
    expect((await q.list())[0]).toMatchObject({ id, status: 'done' });
  });

  it('stop() signals running handlers, and an aborted job is retried later', async () => {
    const { database } = await freshDatabase();
    const q = createJobQueue(database, log, fast);
    q.define('cancellable', {
      handler: (_p, ctx) =>
        new Promise<void>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('stopped by shutdown')));
        }),
    });
    q.start();
    const id = await q.enqueue('cancellable', null);
    await waitForJob(q, id, 'running');
    await q.stop();
    expect((await q.list())[0]).toMatchObject({ id, status: 'queued', attempts: 1, lastError: 'stopped by shutdown' });
  });

  it('deletes finished jobs after the retention period, but keeps failed ones', async () => {
    const { database } = await freshDatabase();
    const old = new Date(Date.now() - 8 * 24 * 3600_000).toISOString();
    const recent = new Date().toISOString();
    const row = (id: string, status: string, at: string) => ({
      id,
      name: 'x',
      payload: 'null',
      status,
      attempts: 1,
      max_attempts: 5,
      run_at: at,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: at,
      updated_at: at,
    });
    await database.db
      .insertInto('jobs')
      .values([row('old-done', 'done', old), row('old-failed', 'failed', old), row('new-done', 'done', recent)])
      .execute();
    const q = queue(database);
    q.start();
    const deadline = Date.now() + 5000;
    while ((await q.list()).some((j) => j.id === 'old-done')) {
      if (Date.now() > deadline) throw new Error('old finished job was not purged');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await q.list()).map((j) => j.id).sort()).toEqual(['new-done', 'old-failed']);
  });

  it('survives a restart: a job enqueued before closing runs after reopening', async () => {
    const { database, again } = await freshDatabase();
    const before = createJobQueue(database, log, fast);
    const id = await before.enqueue('report.build', { month: '2026-11' });
    await before.stop();
    await database.close();
    cleanup.splice(0, 1); // already closed

    const reopened = await again();
    const after = queue(reopened);
    const ran: unknown[] = [];
    after.define('report.build', { handler: async (p) => void ran.push(p) });
    after.start();
    await waitForJob(after, id, 'done');
    expect(ran).toEqual([{ month: '2026-11' }]);
  });

  it('takes over a job whose worker died once its lease expired, and gives up when no attempts are left', async () => {
    const { database } = await freshDatabase();
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 60_000).toISOString();
    const row = (id: string, attempts: number, lockedUntil: string) => ({
      id,
      name: 'orphan',
      payload: JSON.stringify({ id }),
      status: 'running',
      attempts,
      max_attempts: 3,
      run_at: past,
      locked_by: 'dead-host:1234:deadbeef',
      locked_until: lockedUntil,
      last_error: null,
      created_at: past,
      updated_at: past,
    });
    await database.db
      .insertInto('jobs')
      .values([row('expired', 1, past), row('exhausted', 3, past), row('still-leased', 1, future)])
      .execute();
    const q = queue(database);
    const ran: unknown[] = [];
    q.define('orphan', { handler: async (p) => void ran.push(p) });
    q.start();
    expect(await waitForJob(q, 'expired', 'done')).toMatchObject({ attempts: 2 });
    expect((await waitForJob(q, 'exhausted', 'failed')).lastError).toMatch(/stopped before it finished/);
    await new Promise((r) => setTimeout(r, 200));
    expect(ran).toEqual([{ id: 'expired' }]);
    expect((await q.list()).find((j) => j.id === 'still-leased')?.status).toBe('running');
  });

  it('a long job keeps its lease by heartbeat, so another worker does not take it', async () => {
    const { database, again } = await freshDatabase();
    const runs: string[] = [];
    const handler = (who: string) => async () => {
      runs.push(who);
      await new Promise((r) => setTimeout(r, 2500));
    };
    const a = queue(database, { leaseMs: 1500 });
    a.define('long', { handler: handler('a') });
    a.start();
    const id = await a.enqueue('long', null);
    await waitForJob(a, id, 'running');
    const b = queue(await again(), { leaseMs: 1500 });
    b.define('long', { handler: handler('b') });
    b.start();
    await waitForJob(a, id, 'done', 10_000);
    expect(runs).toEqual(['a']);
  });

  it('competing workers on one database never run the same job twice', { timeout: 60_000 }, async () => {
    const { database, again } = await freshDatabase();
    const runs = new Map<string, number>();
    const perWorker = [0, 0, 0, 0];
    // Four queues, each with its own connection (pool), all polling hard for the same rows.
    const queues = [queue(database, { pollMs: 5, concurrency: 8 })];
    for (let i = 1; i < perWorker.length; i++) queues.push(queue(await again(), { pollMs: 5, concurrency: 8 }));
    queues.forEach((q, w) =>
      q.define('work', {
        handler: async (_p, ctx) => {
          runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
          perWorker[w]!++;
          await new Promise((r) => setTimeout(r, Math.random() * 3));
        },
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push(await queues[0]!.enqueue('work', { i }));
    for (const q of queues) q.start();
    const deadline = Date.now() + 45_000;
    while ((await queues[0]!.counts()).done < ids.length) {
      if (Date.now() > deadline) throw new Error(`only ${(await queues[0]!.counts()).done} of ${ids.length} jobs done`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 100));
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    expect([...runs.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    // Every worker really competed for the rows.
    expect(perWorker.every((n) => n > 0)).toBe(true);
  });
});
