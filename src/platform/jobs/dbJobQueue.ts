import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { now } from '../db/database.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { JobDefinition, JobQueue, JobStatus, JobView } from './jobQueue.js';

export interface JobQueueOptions {
  /** Idle polling interval; an enqueue in this process wakes the worker at once. */
  pollMs?: number;
  /** How long a claimed job stays ours without a heartbeat; after that another worker may take it. */
  leaseMs?: number;
  concurrency?: number;
  workerId?: string;
  defaultMaxAttempts?: number;
  defaultBackoffMs?: number;
  /** Finished (`done`) jobs are deleted after this long; failed ones stay until an admin acts. */
  retentionMs?: number;
}

const STATUSES: JobStatus[] = ['queued', 'running', 'done', 'failed'];
/** Backoff doubles per attempt but never beyond this, so a long-failing job still retries within the hour. */
const MAX_BACKOFF_MS = 60 * 60 * 1000;
const PURGE_EVERY_MS = 60 * 60 * 1000;
const ERROR_RETRY_MS = 5000;

type JobRow = {
  id: string;
  name: string;
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
};

/**
 * Workers poll the `jobs` table. Claiming is one conditional UPDATE (status and lease checked in
 * its WHERE) whose affected-row count says whether we won, which is atomic on SQLite and on
 * PostgreSQL alike, so any number of processes can run workers against one database.
 */
export function createJobQueue(database: Database, log: Logger, opts: JobQueueOptions = {}): JobQueue {
  const db = database.db;
  const pollMs = opts.pollMs ?? 500;
  const leaseMs = opts.leaseMs ?? 5 * 60 * 1000;
  const concurrency = opts.concurrency ?? 4;
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const defaultMaxAttempts = opts.defaultMaxAttempts ?? 5;
  const defaultBackoffMs = opts.defaultBackoffMs ?? 10_000;
  const retentionMs = opts.retentionMs ?? 7 * 24 * 60 * 60 * 1000;

  const definitions = new Map<string, JobDefinition>();
  const running = new Set<Promise<void>>();
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;
  let wakeRequested = false;
  let lastPurge = 0;
  let stopping = new AbortController();

  const schedule = (ms: number) => {
    if (!started) return;
    if (timer) clearTimeout(timer);
    // Not unref'd: a started worker is a service and keeps a worker-only process alive.
    timer = setTimeout(() => void tick(), ms);
  };

  const wake = () => {
    if (!started) return;
    if (ticking) wakeRequested = true;
    else schedule(0);
  };

  async function tick(): Promise<void> {
    timer = null;
    if (!started || ticking) return;
    ticking = true;
    wakeRequested = false;
    let claimedAny = false;
    let failed = false;
    try {
      if (Date.now() - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = Date.now();
        await purgeFinished();
      }
      while (started && running.size < concurrency) {
        const job = await claimNext();
        if (!job) break;
        claimedAny = true;
        const p = execute(job).finally(() => {
          running.delete(p);
          // A freed slot may have work waiting behind it.
          wake();
        });
        running.add(p);
      }
    } catch (e) {
      failed = true;
      log.error({ err: e }, 'job worker could not poll the database; retrying in a few seconds');
    } finally {
      ticking = false;
    }
    // A database that is down is not hammered (or logged about) twice a second.
    if (failed) schedule(Math.max(pollMs, ERROR_RETRY_MS));
    else schedule(wakeRequested || (claimedAny && running.size < concurrency) ? 0 : pollMs);
  }

  async function purgeFinished(): Promise<void> {
    const before = new Date(Date.now() - retentionMs).toISOString();
    await db.deleteFrom('jobs').where('status', '=', 'done').where('updated_at', '<', before).execute();
  }

  async function claimNext(): Promise<JobRow | null> {
    const at = now();
    // Two walks of the (status, run_at) index, each in order and stopping after 10: with the two
    // cases in one OR the database sorted every due job, and draining a backlog grew quadratic.
    const due = await db.selectFrom('jobs').select(['id', 'run_at']).where('status', '=', 'queued').where('run_at', '<=', at).orderBy('run_at').limit(10).execute();
    const stale = await db.selectFrom('jobs').select(['id', 'run_at']).where('status', '=', 'running').where('locked_until', '<', at).orderBy('run_at').limit(10).execute();
    const candidates = [...due, ...stale].sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : 0)).slice(0, 10);
    for (const { id } of candidates) {
      const lockedUntil = new Date(Date.now() + leaseMs).toISOString();
      const result = await db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          locked_by: workerId,
          locked_until: lockedUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: at,
        }))
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', at)]),
            eb.and([eb('status', '=', 'running'), eb('locked_until', '<', at)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue; // another worker won it
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).where('locked_by', '=', workerId).executeTakeFirst();
      if (row) return row;
    }
    return null;
  }

  async function execute(job: JobRow): Promise<void> {
    const def = definitions.get(job.name);
    if (!def) {
      await finish(job, 'failed', `No handler is defined for job "${job.name}" in this Tessera version; is the module that schedules it enabled?`);
      log.error({ jobId: job.id, job: job.name }, 'job has no handler');
      return;
    }
    if (job.attempts > job.max_attempts) {
      // Only a reclaimed job gets here: its earlier worker died holding the last attempt.
      await finish(job, 'failed', job.last_error ?? 'The worker running this job stopped before it finished, and no attempts are left.');
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(job.payload);
    } catch {
      await finish(job, 'failed', 'The job payload is not valid JSON.');
      return;
    }
    const heartbeat = setInterval(() => void extendLease(job.id), Math.max(1000, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    try {
      await def.handler(payload, { jobId: job.id, attempt: job.attempts, signal: stopping.signal });
      clearInterval(heartbeat);
      await finish(job, 'done', null);
    } catch (e) {
      clearInterval(heartbeat);
      const message = e instanceof Error ? e.message : String(e);
      if (job.attempts >= job.max_attempts) {
        log.error({ jobId: job.id, job: job.name, attempt: job.attempts, err: e }, 'job failed permanently');
        await finish(job, 'failed', message);
      } else {
        const base = def.backoffMs ?? defaultBackoffMs;
        const delay = Math.min(MAX_BACKOFF_MS, base * 2 ** (job.attempts - 1));
        log.warn({ jobId: job.id, job: job.name, attempt: job.attempts, retryInMs: delay, err: e }, 'job failed; will retry');
        await finish(job, 'queued', message, new Date(Date.now() + delay).toISOString());
      }
    }
  }

  async function extendLease(id: string): Promise<void> {
    try {
      await db
        .updateTable('jobs')
        .set({ locked_until: new Date(Date.now() + leaseMs).toISOString() })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .where('status', '=', 'running')
        .execute();
    } catch (e) {
      log.warn({ err: e, jobId: id }, 'could not extend a job lease');
    }
  }

  /** Guarded by our lock, so a worker whose lease lapsed cannot overwrite the new owner's outcome. */
  async function finish(job: JobRow, status: JobStatus, lastError: string | null, runAt?: string): Promise<void> {
    try {
      await db
        .updateTable('jobs')
        .set({
          status,
          last_error: lastError,
          locked_by: null,
          locked_until: null,
          updated_at: now(),
          ...(runAt ? { run_at: runAt } : {}),
        })
        .where('id', '=', job.id)
        .where('locked_by', '=', workerId)
        .execute();
    } catch (e) {
      // The lease will expire and another worker retries it; better twice than never.
      log.error({ err: e, jobId: job.id }, 'could not record a job outcome');
    }
  }

  return {
    define(name, def) {
      if (definitions.has(name)) throw new Error(`Job "${name}" is defined twice`);
      definitions.set(name, def);
    },

    async enqueue(name, payload, o = {}) {
      const id = randomUUID();
      const at = now();
      const maxAttempts = o.maxAttempts ?? definitions.get(name)?.maxAttempts ?? defaultMaxAttempts;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error('maxAttempts must be a positive integer');
      if (o.coalesce) {
        // LIMIT as a literal: SQLite plans a bound LIMIT on every run (3.7 against 1.2 µs).
        const queued = await (o.tx ?? db).selectFrom('jobs').select('id').where('status', '=', 'queued').where('name', '=', name).limit(sql.lit(1)).executeTakeFirst();
        if (queued) return queued.id;
      }
      await (o.tx ?? db)
        .insertInto('jobs')
        .values({
          id,
          name,
          payload: JSON.stringify(payload ?? null),
          status: 'queued',
          attempts: 0,
          max_attempts: maxAttempts,
          run_at: (o.runAt ?? new Date()).toISOString(),
          locked_by: null,
          locked_until: null,
          last_error: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      // Inside a transaction the row is invisible until commit; the idle poll catches it then.
      if (!o.tx) wake();
      else setTimeout(wake, 50).unref();
      return id;
    },

    start() {
      if (started) return;
      started = true;
      if (stopping.signal.aborted) stopping = new AbortController();
      schedule(0);
    },

    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = null;
      stopping.abort();
      while (ticking || running.size > 0) {
        if (running.size > 0) await Promise.allSettled([...running]);
        else await new Promise((r) => setTimeout(r, 10));
      }
    },

    async list(filter = {}) {
      let q = db.selectFrom('jobs').selectAll();
      if (filter.status) q = q.where('status', '=', filter.status);
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000))
        .execute();
      return rows.map(present);
    },

    async counts() {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const result = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const r of rows) if (isStatus(r.status)) result[r.status] = Number(r.n);
      return result;
    },

    async retry(id) {
      const row = await db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('This job does not exist.');
      if (row.status !== 'failed') throw new ConflictError(`Only failed jobs can be retried; this one is ${row.status}.`, 'job_not_failed');
      const at = now();
      const result = await db
        .updateTable('jobs')
        .set({ status: 'queued', attempts: 0, run_at: at, updated_at: at, locked_by: null, locked_until: null })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new ConflictError('This job changed meanwhile; reload and try again.', 'job_not_failed');
      wake();
    },
  };
}

function isStatus(s: string): s is JobStatus {
  return (STATUSES as string[]).includes(s);
}

function present(r: JobRow): JobView {
  return {
    id: r.id,
    name: r.name,
    status: isStatus(r.status) ? r.status : 'failed',
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
