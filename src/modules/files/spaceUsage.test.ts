import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import { openDatabase } from '../../platform/db/database.js';
import { migrate } from '../../platform/db/migrations.js';
import { platformMigrations } from '../../platform/db/platformMigrations.js';
import { testConfig } from '../../test-support/stack.js';
import { filesMigrations } from './migrations.js';
import { uploadOk } from './testing/fixtures.js';

interface Item {
  id: string;
}
interface Space {
  id: string;
  name: string;
  rootId: string;
  usedBytes: number;
}

describe('space usage', () => {
  let ts: TestServer;
  let ana: TestClient;
  let mine: Space;
  let team: Space;

  beforeAll(async () => {
    ts = await startTestServer();
    const { user } = await createUser(ts, { username: 'ana' });
    const group = await ts.identity.service.createGroup({ name: 'crew', displayName: 'Crew' }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: user.id }, TEST_ACTOR);
    ana = await signIn(ts.url, 'ana', 'ana-password-1');
    const spaces = (await ana.get<{ spaces: (Space & { kind: string })[] }>('/api/files/spaces')).body.spaces;
    mine = spaces.find((s) => s.kind === 'personal')!;
    team = spaces.find((s) => s.name === 'crew')!;
  });
  afterAll(() => ts?.close());

  /** What the spaces list reports, and what summing the live files says it must be. */
  async function usage(): Promise<{ reported: number[]; summed: number[] }> {
    const spaces = (await ana.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces;
    const reported = [mine, team].map((s) => spaces.find((x) => x.id === s.id)!.usedBytes);
    const db = ts.server.platform.database.db;
    const summed = [];
    for (const s of [mine, team]) {
      const row = await sql<{ used: number | string | null }>`select sum(size) as used from files_nodes where space_id = ${s.id} and trash_id is null and kind = 'file'`.execute(db);
      summed.push(Number(row.rows[0]?.used ?? 0));
    }
    return { reported, summed };
  }

  async function expectUsage(mineBytes: number, teamBytes: number): Promise<void> {
    const { reported, summed } = await usage();
    expect(summed).toEqual([mineBytes, teamBytes]);
    expect(reported).toEqual(summed);
  }

  it('follows uploads, overwrites, trash, restore, copies, moves across spaces, purges and version restores', async () => {
    await expectUsage(0, 0);
    const a = await uploadOk<Item>(ana, ts.url, mine.rootId, 'a.txt', 'a'.repeat(100));
    await uploadOk<Item>(ana, ts.url, mine.rootId, 'b.txt', 'b'.repeat(200));
    const folder = (await ana.post<Item>(`/api/files/nodes/${mine.rootId}/folders`, { name: 'F' })).body;
    await uploadOk<Item>(ana, ts.url, folder.id, 'c.txt', 'c'.repeat(300));
    await expectUsage(600, 0);

    // Overwriting replaces the size; the old version does not count.
    await uploadOk<Item>(ana, ts.url, mine.rootId, 'a.txt', 'A'.repeat(150));
    await expectUsage(650, 0);

    // A folder in the trash takes its files out; restoring brings them back.
    expect((await ana.del(`/api/files/nodes/${folder.id}`)).status).toBe(204);
    await expectUsage(350, 0);
    expect((await ana.post(`/api/files/trash/${folder.id}/restore`)).status).toBe(200);
    await expectUsage(650, 0);

    const copy = await ana.post<Item>(`/api/files/nodes/${folder.id}/copy`, { parentId: mine.rootId, name: 'F copy' });
    expect(copy.status).toBe(201);
    await expectUsage(950, 0);

    // Moving to another space moves the bytes with it.
    expect((await ana.patch(`/api/files/nodes/${folder.id}`, { parentId: team.rootId })).status).toBe(200);
    await expectUsage(650, 300);

    // Purging what is already in the trash changes nothing.
    expect((await ana.del(`/api/files/nodes/${copy.body.id}`)).status).toBe(204);
    await expectUsage(350, 300);
    expect((await ana.del(`/api/files/spaces/${mine.id}/trash`)).status).toBe(200);
    await expectUsage(350, 300);

    const versions = (await ana.get<{ versions: { id: string; size: number }[] }>(`/api/files/nodes/${a.id}/versions`)).body.versions;
    const first = versions.find((v) => v.size === 100)!;
    expect((await ana.post(`/api/files/nodes/${a.id}/versions/${first.id}/restore`)).status).toBe(200);
    await expectUsage(300, 300);
  });

  it('counts a space created after the migration from zero', async () => {
    const group = await ts.identity.service.createGroup({ name: 'late', displayName: 'Late' }, TEST_ACTOR);
    const { user } = await createUser(ts, { username: 'lou' });
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: user.id }, TEST_ACTOR);
    const lou = await signIn(ts.url, 'lou', 'lou-password-1');
    const late = (await lou.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces.find((s) => s.name === 'late')!;
    expect(late.usedBytes).toBe(0);
    await uploadOk<Item>(lou, ts.url, late.rootId, 'x.bin', Buffer.alloc(1234, 1));
    expect((await lou.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces.find((s) => s.id === late.id)!.usedBytes).toBe(1234);
  });

  it('starts from what an existing database already holds', async () => {
    const database = await openDatabase((await testConfig()).database);
    try {
      const before = (set: typeof filesMigrations) => Object.fromEntries(Object.entries(set).filter(([name]) => name < '2026112415'));
      await migrate(database, [before(platformMigrations), before(filesMigrations)]);
      const at = new Date().toISOString();
      const node = (id: string, parent: string | null, kind: string, size: number, trash: string | null, name = id) =>
        sql`insert into files_nodes (id, space_id, parent_id, name, kind, size, etag, created_at, modified_at, trash_id)
            values (${id}, 's1', ${parent}, ${name}, ${kind}, ${size}, 'e', ${at}, ${at}, ${trash})`.execute(database.db);
      await sql`insert into files_spaces (id, kind, owner_id, name, root_id, created_at) values ('s1', 'group', 'g1', 'old', 'root', ${at})`.execute(database.db);
      await node('root', null, 'folder', 0, null, '');
      await node('f1', 'root', 'file', 1000, null, 'Ærø Straße');
      await node('f2', 'root', 'file', 234, null);
      await node('gone', 'root', 'file', 5000, 'gone');
      await migrate(database, [platformMigrations, filesMigrations]);
      const row = await sql<{ used_bytes: number | string }>`select used_bytes from files_space_usage where space_id = 's1'`.execute(database.db);
      expect(Number(row.rows[0]?.used_bytes)).toBe(1234);
      // The same upgrade folds the names search compares (2026112419).
      const names = await sql<{ id: string; name_folded: string | null }>`select id, name_folded from files_nodes order by id`.execute(database.db);
      expect(names.rows.map((r) => r.name_folded)).toEqual(['aero strasse', 'f2', 'gone', '']);
    } finally {
      await database.close();
    }
  });
});
