import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { testConfig } from '../../test-support/stack.js';
import { openDatabase, withTables, type Database } from './database.js';
import { prepared } from './prepared.js';
import type { PlatformTables } from './platformTables.js';

interface ProbeTables {
  prepared_probe: { id: string; name: string; size: number; note: string | null; kind: string };
}
type Q = Kysely<ProbeTables & PlatformTables>;

const byName = prepared((q: Q, p: { name: string }) => q.selectFrom('prepared_probe').selectAll().where('name', '=', p.name).where('kind', '=', 'file').orderBy('id'));
const insert = prepared((q: Q, p: { id: string; name: string; size: number; note: string | null }) =>
  q.insertInto('prepared_probe').values({ id: p.id, name: p.name, size: p.size, note: p.note, kind: 'file' }),
);
const rename = prepared((q: Q, p: { id: string; name: string }) => q.updateTable('prepared_probe').set({ name: p.name }).where('id', '=', p.id));

describe('prepared statements', () => {
  let database: Database;
  const q = () => withTables<ProbeTables>(database.db);
  beforeAll(async () => {
    database = await openDatabase((await testConfig()).database);
    await sql`create table prepared_probe (id text primary key, name text not null, size integer not null, note text, kind text not null)`.execute(database.db);
  });
  afterAll(async () => {
    await sql`drop table prepared_probe`.execute(database.db);
    await database.close();
  });

  it('binds each call its own values, keeps literals, and reports affected rows', async () => {
    await insert.execute(q(), { id: 'a', name: 'one', size: 1, note: null });
    await insert.execute(q(), { id: 'b', name: 'two', size: 2, note: 'x' });
    await sql`insert into prepared_probe (id, name, size, note, kind) values ('c', 'one', 3, null, 'folder')`.execute(database.db);
    expect(await byName.all(q(), { name: 'one' })).toEqual([{ id: 'a', name: 'one', size: 1, note: null, kind: 'file' }]);
    expect((await byName.first(q(), { name: 'two' }))?.note).toBe('x');
    expect(await byName.first(q(), { name: 'three' })).toBeUndefined();
    const result = await rename.execute(q(), { id: 'b', name: 'three' });
    expect(Number(result.numAffectedRows)).toBe(1);
    expect((await byName.first(q(), { name: 'three' }))?.id).toBe('b');
  });

  it('runs inside a transaction and rolls back with it', async () => {
    await expect(
      database.transaction(async (tx) => {
        await insert.execute(withTables<ProbeTables>(tx), { id: 'd', name: 'four', size: 4, note: null });
        expect(await byName.first(withTables<ProbeTables>(tx), { name: 'four' })).toBeDefined();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await byName.first(q(), { name: 'four' })).toBeUndefined();
  });

  it('refuses a placeholder that shaped the SQL instead of becoming a parameter', async () => {
    const column = prepared((q: Q, p: { column: string }) => q.selectFrom('prepared_probe').select(sql.ref(p.column).as('c')));
    await expect(column.all(q(), { column: 'name' })).rejects.toThrow(/column did not become a bound parameter/);
  });
});
