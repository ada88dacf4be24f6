import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type Transaction } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../config/config.js';
import { fold } from './fold.js';
import type { PlatformTables } from './platformTables.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The database handle every store uses. Stores widen it to their own tables with
 * `withTables<ModuleTables>(db)`, so the platform never names a module's tables.
 */
export type Db = Kysely<PlatformTables>;
export type Tx<T = PlatformTables> = Transaction<T>;

export interface Database {
  db: Db;
  dialect: Dialect;
  /** Run `fn` in one transaction: all of it commits or none of it does. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` and commits without waiting for the disk: a process crash keeps the write, a power
   * loss may drop it. Only for bookkeeping whose loss is harmless (never for acknowledged data);
   * it saves one disk flush per call (a WebDAV PUT's upload marker).
   */
  bookkeeping<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(config: Config['database']): Promise<Database> {
  if (config.kind === 'sqlite') return openSqlite(config.path);
  return openPostgres(config.url);
}

async function openSqlite(path: string): Promise<Database> {
  const { default: SQLite } = await import('better-sqlite3');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const conn = new SQLite(path);
  // WAL lets readers run beside the writer; synchronous=FULL makes every acknowledged commit durable.
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = FULL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
  // Group commit runs each transaction in a SAVEPOINT, whose undo copies (the sub-journal) SQLite
  // spills to a temp file past 64 KiB: about 20 extra write() calls per WebDAV PUT. In memory they
  // cost no system call; a batch's sub-journal is a few hundred KiB at most.
  conn.pragma('temp_store = MEMORY');
  // The search folding PostgreSQL gets from the files migrations (fold.ts).
  conn.function('tessera_fold', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? fold(s) : s));
  const db = new Kysely<PlatformTables>({ dialect: new SqliteDialect({ database: withStatementCache(conn) }) });
  return { ...wrap(db, 'sqlite'), transaction: groupCommit(db) };
}

/**
 * Kysely prepares every query anew; with better-sqlite3 that compile step was ~9 % of a WebDAV PUT's
 * CPU (bench/files). Statements are reused by SQL text, the oldest dropped first past `max`. Safe
 * because Kysely runs one query at a time on this connection and Tessera never streams from SQLite
 * (a statement still being iterated could not be reused).
 */
function withStatementCache(conn: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => conn.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = conn.prepare(text);
        // Oldest first out; the hot statements come back at once.
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

const SAVEPOINT = CompiledQuery.raw('savepoint tx');
const RELEASE = CompiledQuery.raw('release tx');
const ROLLBACK_TO = CompiledQuery.raw('rollback to tx');

/**
 * Group commit for SQLite. With synchronous=FULL every COMMIT waits for the disk (about a
 * millisecond, far more on a busy disk), and SQLite has one writer, so concurrent requests queued
 * behind one another's flushes. Transactions that arrive while one batch runs now form the next
 * batch: each runs in its own SAVEPOINT, in arrival order, exactly as if alone (a failure rolls back
 * only its own savepoint), and the batch ends with one COMMIT, one flush. Each caller's promise
 * settles only after that COMMIT, so nothing is acknowledged before it is durable; if the COMMIT
 * fails, every transaction of the batch fails. PostgreSQL does its own group commit.
 */
function groupCommit(db: Db, maxBatch = 64): Database['transaction'] {
  interface Pending {
    fn: (tx: Tx) => Promise<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }
  const queue: Pending[] = [];
  let draining = false;

  async function runBatch(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    let trx;
    try {
      trx = await db.startTransaction().execute();
      // Raw statements on the one transaction: Kysely's savepoint() builds a new transaction object
      // per call, which cost more than the SAVEPOINT itself.
      for (const item of batch) {
        await trx.executeQuery(SAVEPOINT);
        try {
          const value = await item.fn(trx);
          await trx.executeQuery(RELEASE);
          outcomes.push({ ok: true, value });
        } catch (error) {
          await trx.executeQuery(ROLLBACK_TO);
          await trx.executeQuery(RELEASE);
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (error) {
      if (trx && !trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => {});
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }

  // A batch starts after the event loop has run the I/O callbacks already waiting (setImmediate),
  // so requests whose uploads finished meanwhile join it rather than each waiting for a flush. It
  // keeps gathering while a turn brings more: the clients answered by the last commit send their
  // next request a moment later, and without the wait 8 busy WebDAV clients settled into two
  // alternating batches of ~4 (each commit writes the same index pages, ~0.2 ms of each PUT).
  // When a turn brings nothing, the batch starts: a lone request waits one turn.
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  async function gather(): Promise<void> {
    await nextTurn();
    let seen;
    do {
      seen = queue.length;
      await nextTurn();
    } while (queue.length > seen && queue.length < maxBatch);
  }
  async function drain(): Promise<void> {
    draining = true;
    try {
      do {
        await gather();
        await runBatch(queue.splice(0, maxBatch));
      } while (queue.length > 0);
    } finally {
      draining = false;
    }
  }

  return <T>(fn: (tx: Tx) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!draining) void drain();
    });
}

async function openPostgres(url: string): Promise<Database> {
  const pg = await import('pg');
  // int8 (COUNT, bigint columns) would otherwise arrive as strings; our sizes fit in 2^53.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  // No JIT: it pays off for long analytic queries, never for Tessera's short ones, and PostgreSQL
  // starts it on estimated cost alone. A file search whose plan it misjudged spent 320 of its
  // 500 ms compiling (docs/benchmarks.md, search on PostgreSQL).
  const pool = new pg.default.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, options: '-c jit=off' });
  pool.on('error', () => {
    /* an idle client died (server restart); the pool replaces it on next use */
  });
  const db = new Kysely<PlatformTables>({ dialect: new PostgresDialect({ pool }) });
  return wrap(db, 'postgres');
}

function wrap(db: Db, dialect: Dialect): Database {
  return {
    db,
    dialect,
    transaction: (fn) => db.transaction().execute(fn),
    bookkeeping: (fn) =>
      dialect === 'postgres'
        ? db.transaction().execute(async (tx) => {
            await sql`set local synchronous_commit = off`.execute(tx);
            return fn(tx);
          })
        : // The one SQLite connection is held throughout, so no other commit runs with the relaxed setting.
          db.connection().execute(async (conn) => {
            await sql`pragma synchronous = NORMAL`.execute(conn);
            try {
              return await fn(conn);
            } finally {
              await sql`pragma synchronous = FULL`.execute(conn);
            }
          }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/**
 * The handle, typed with a module's tables. Kysely's own withTables only changes the type too, but
 * builds a new instance on every call; the stores call this for every statement, a dozen times per
 * WebDAV PUT, so here it is the cast alone.
 */
export function withTables<T>(db: Db | Tx): Kysely<T & PlatformTables> {
  return db as unknown as Kysely<T & PlatformTables>;
}

/** Current time as the ISO string every timestamp column stores (sortable, dialect-neutral). */
export function now(): string {
  return new Date().toISOString();
}
