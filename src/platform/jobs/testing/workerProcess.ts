/**
 * A job worker in its own process, for the multi-process test: it runs `work` jobs from the
 * database it is given and appends "<jobId> <pid>" per run to a log file, so the test can count
 * how often each job ran across processes. `hang` jobs never finish (for the kill test). It
 * stops (waiting for running jobs) when stdin ends.
 */
import { appendFileSync } from 'node:fs';
import type { Config } from '../../config/config.js';
import { openDatabase } from '../../db/database.js';
import { createLogger } from '../../log/logger.js';
import { createJobQueue } from '../dbJobQueue.js';

const dbConfig = JSON.parse(process.env.TESSERA_WORKER_DB ?? 'null') as Config['database'];
const logFile = process.env.TESSERA_WORKER_LOG ?? '';
const database = await openDatabase(dbConfig);
const leaseMs = Number(process.env.TESSERA_WORKER_LEASE_MS ?? 60_000);
const jobs = createJobQueue(database, createLogger('warn'), { pollMs: 5, concurrency: 4, leaseMs });
jobs.define('work', {
  handler: async (_payload, ctx) => {
    appendFileSync(logFile, `${ctx.jobId} ${process.pid}\n`);
    await new Promise((r) => setTimeout(r, Math.random() * 3));
  },
});
jobs.define('hang', {
  handler: async () => {
    appendFileSync(logFile, `hang ${process.pid}\n`);
    await new Promise(() => {});
  },
});
jobs.start();
process.stdout.write('started\n');

process.stdin.resume();
process.stdin.on('end', () => {
  void jobs
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
