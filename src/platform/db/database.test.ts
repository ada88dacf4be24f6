import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testConfig } from '../../test-support/stack.js';
import { openDatabase, type Database } from './database.js';

describe('database', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase((await testConfig()).database);
  });
  afterAll(() => database.close());

  it('reuses statements without mixing up their parameters or results', async () => {
    await sql`create table cache_probe (id integer primary key, name text not null)`.execute(database.db);
    for (let i = 1; i <= 700; i++) await sql`insert into cache_probe (id, name) values (${i}, ${'n' + i})`.execute(database.db);
    // More distinct statements than the cache holds, each run twice, interleaved.
    for (let i = 1; i <= 600; i++) {
      const a = await sql.raw<{ name: string }>(`select name from cache_probe where id = ${i}`).execute(database.db);
      const b = await sql<{ name: string }>`select name from cache_probe where id = ${i + 1}`.execute(database.db);
      expect([a.rows[0]!.name, b.rows[0]!.name]).toEqual([`n${i}`, `n${i + 1}`]);
    }
  });

  it('sees schema changes through a statement prepared before them', async () => {
    const before = await sql<Record<string, unknown>>`select * from cache_probe where id = ${1}`.execute(database.db);
    expect(Object.keys(before.rows[0]!)).toEqual(['id', 'name']);
    await sql`alter table cache_probe add column extra text`.execute(database.db);
    const after = await sql<Record<string, unknown>>`select * from cache_probe where id = ${1}`.execute(database.db);
    expect(Object.keys(after.rows[0]!)).toEqual(['id', 'name', 'extra']);
  });

  it('rolls a failed transaction back on a reused statement', async () => {
    await expect(
      database.transaction(async (tx) => {
        await sql`update cache_probe set name = ${'changed'} where id = ${2}`.execute(tx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const row = await sql<{ name: string }>`select name from cache_probe where id = ${2}`.execute(database.db);
    expect(row.rows[0]!.name).toBe('n2');
  });

  it('commits concurrent transactions together yet keeps each one all-or-nothing', async () => {
    await sql`create table batch_probe (id integer primary key, owner integer not null)`.execute(database.db);
    // Twenty transactions at once, each writing three rows; every fourth fails after its writes.
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, t) =>
        database.transaction(async (tx) => {
          for (let r = 0; r < 3; r++) await sql`insert into batch_probe (id, owner) values (${t * 10 + r}, ${t})`.execute(tx);
          if (t % 4 === 0) throw new Error(`abort ${t}`);
          return t;
        }),
      ),
    );
    const failed = results.flatMap((r, t) => (r.status === 'rejected' ? [t] : []));
    expect(failed).toEqual([0, 4, 8, 12, 16]);
    expect(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18, 19]);
    const rows = await sql<{ owner: number; n: number }>`select owner, count(*) as n from batch_probe group by owner order by owner`.execute(database.db);
    // Each kept transaction has all three of its rows, each failed one none.
    expect(rows.rows.map((r) => [Number(r.owner), Number(r.n)])).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18, 19].map((t) => [t, 3]));
  });

  it('a transaction sees the writes of those committed before it in the same batch', async () => {
    await sql`create table order_probe (id integer primary key, value integer not null)`.execute(database.db);
    await sql`insert into order_probe (id, value) values (1, 0)`.execute(database.db);
    // Read-modify-write from ten transactions at once: no update may be lost.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        database.transaction(async (tx) => {
          // PostgreSQL runs them side by side and needs the row lock; SQLite runs them one after another.
          const lock = database.dialect === 'postgres' ? sql`for update` : sql``;
          const row = await sql<{ value: number }>`select value from order_probe where id = 1 ${lock}`.execute(tx);
          await sql`update order_probe set value = ${Number(row.rows[0]!.value) + 1} where id = 1`.execute(tx);
        }),
      ),
    );
    const after = await sql<{ value: number }>`select value from order_probe where id = 1`.execute(database.db);
    expect(Number(after.rows[0]!.value)).toBe(10);
  });
});
