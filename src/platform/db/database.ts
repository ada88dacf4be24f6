import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type Transaction } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { Config } from '../config/config.js';
import type { PlatformTables } from './platformTables.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The database handle every store uses. Stores widen it to their own tables with
 * `db.withTables<ModuleTables>()`, so the platform never names a module's tables.
 */
export type Db = Kysely<PlatformTables>;
export type Tx<T = PlatformTables> = Transaction<T>;

export interface Database {
  db: Db;
  dialect: Dialect;
  /** Run `fn` in one transaction: all of it commits or none of it does. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
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
  const db = new Kysely<PlatformTables>({ dialect: new SqliteDialect({ database: withStatementCache(conn) }) });
  return wrap(db, 'sqlite');
}

/**
 * Kysely prepares every query anew; with better-sqlite3 that compile step was ~9 % of a WebDAV PUT's
 * CPU (bench/files). Statements are reused by SQL text, least recently used dropped first. Safe
 * because Kysely runs one query at a time on this connection and Tessera never streams from SQLite
 * (a statement still being iterated could not be reused).
 */
function withStatementCache(conn: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => conn.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = conn.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pg = await import('pg');
  // int8 (COUNT, bigint columns) would otherwise arrive as strings; our sizes fit in 2^53.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.default.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
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
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** Current time as the ISO string every timestamp column stores (sortable, dialect-neutral). */
export function now(): string {
  return new Date().toISOString();
}
