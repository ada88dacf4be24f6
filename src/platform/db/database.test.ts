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
});
