import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from './config/config.js';
import { openDatabase, type Database, type Db } from './db/database.js';
import { AuditLog } from './audit/auditLog.js';
import type { BlobStore } from './blobs/blobStore.js';
import { createBlobStore } from './blobs/createBlobStore.js';
import type { EventBus } from './bus/eventBus.js';
import { createEventBus } from './bus/createEventBus.js';
import type { JobQueue } from './jobs/jobQueue.js';
import { createJobQueue } from './jobs/dbJobQueue.js';
import { createLogger, type Logger } from './log/logger.js';
import { randomToken } from './crypto/tokens.js';

/** Infrastructure with no domain knowledge, handed to every module. */
export interface Platform {
  config: Config;
  log: Logger;
  database: Database;
  db: Db;
  blobs: BlobStore;
  bus: EventBus;
  jobs: JobQueue;
  audit: AuditLog;
  metrics: Registry;
  secret: string;
  version: string;
  startedAt: Date;
  close(): Promise<void>;
}

export const VERSION = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

export async function createPlatform(config: Config, opts: { logger?: Logger } = {}): Promise<Platform> {
  const log = opts.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const secret = config.secret ?? loadOrCreateSecret(config.dataDir);
  const database = await openDatabase(config.database);
  const blobs = await createBlobStore(config.blobs);
  const bus = await createEventBus(config.redisUrl, log);
  const jobs = createJobQueue(database, log);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'tessera_' });
  return {
    config,
    log,
    database,
    db: database.db,
    blobs,
    bus,
    jobs,
    audit: new AuditLog(database, secret),
    metrics,
    secret,
    version: VERSION,
    startedAt: new Date(),
    async close() {
      await jobs.stop();
      await bus.close();
      await blobs.close();
      await database.close();
    },
  };
}

/** The generated secret lives beside the data, readable by the service account only. */
function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomToken(48);
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
