import type { Tx } from '../db/database.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobContext {
  jobId: string;
  attempt: number;
  /** Aborted when the worker stops; long handlers should give up (the job is retried later). */
  signal: AbortSignal;
}

export interface JobDefinition {
  handler: (payload: unknown, ctx: JobContext) => Promise<void>;
  maxAttempts?: number;
  /** First retry delay; doubles each attempt. */
  backoffMs?: number;
}

export interface JobView {
  id: string;
  name: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Durable jobs in the database: enqueued in the caller's transaction when given, so work is
 * scheduled exactly when the change that needs it commits; retried with exponential backoff;
 * a job whose worker died is picked up again once its lease expires.
 */
export interface JobQueue {
  define(name: string, def: JobDefinition): void;
  /**
   * `coalesce`: when a job of this name is already queued (not yet running), no new one is added and
   * its id is returned: for drain-style jobs that process whatever is pending when they run.
   */
  enqueue(name: string, payload: unknown, opts?: { runAt?: Date; maxAttempts?: number; tx?: Tx; coalesce?: boolean }): Promise<string>;
  start(): void;
  stop(): Promise<void>;
  list(filter?: { status?: JobStatus; limit?: number }): Promise<JobView[]>;
  counts(): Promise<Record<JobStatus, number>>;
  retry(id: string): Promise<void>;
}
