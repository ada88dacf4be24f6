import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { FilesModule } from './module.js';
import type { FilesTables } from './tables.js';

interface Node {
  id: string;
  name: string;
  kind: string;
  size: number;
  etag: string;
  parentId: string;
}
interface Space {
  id: string;
  kind: string;
  name: string;
  rootId: string;
  usedBytes: number;
  quotaBytes: number | null;
}

/** Raw upload with the session, so tests can set If-Match and friends. */
async function upload(c: TestClient, base: string, folderId: string, name: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/files/nodes/${folderId}/upload?name=${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'text/plain', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Node & { error?: { code: string } }, headers: res.headers };
}

describe('files REST API', () => {
  let ts: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let space: Space;

  beforeAll(async () => {
    ts = await startTestServer();
    await createUser(ts, { username: 'alice', quotaBytes: 10_000 });
    await createUser(ts, { username: 'bob' });
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    bob = await signIn(ts.url, 'bob', 'bob-password-1');
    const res = await alice.get<{ spaces: Space[] }>('/api/files/spaces');
    expect(res.status).toBe(200);
    space = res.body.spaces.find((s) => s.kind === 'personal')!;
    expect(space).toMatchObject({ name: 'alice', usedBytes: 0, quotaBytes: 10_000 });
  });
  afterAll(async () => {
    await ts.close();
  });

  it('creates folders, uploads, lists with paging and sort, downloads with Range', async () => {
    const folder = await alice.post<Node>(`/api/files/nodes/${space.rootId}/folders`, { name: 'Docs' });
    expect(folder.status).toBe(201);
    expect((await alice.post(`/api/files/nodes/${space.rootId}/folders`, { name: 'Docs' })).code).toBe('name_taken');
    // Case matters: "docs" is another name.
    expect((await alice.post(`/api/files/nodes/${space.rootId}/folders`, { name: 'docs' })).status).toBe(201);
    for (const [name, body] of [['b.txt', 'bb'], ['a.txt', 'a'], ['c.txt', 'ccc']] as const) {
      expect((await upload(alice, ts.url, folder.body.id, name, body)).status).toBe(201);
    }
    const page = await alice.get<{ items: Node[]; total: number }>(`/api/files/nodes/${folder.body.id}/children?limit=2&sort=size&order=desc`);
    expect(page.body.total).toBe(3);
    expect(page.body.items.map((n) => n.name)).toEqual(['c.txt', 'b.txt']);
    const rest = await alice.get<{ items: Node[] }>(`/api/files/nodes/${folder.body.id}/children?limit=2&offset=2&sort=size&order=desc`);
    expect(rest.body.items.map((n) => n.name)).toEqual(['a.txt']);
    expect((await alice.get(`/api/files/nodes/${folder.body.id}/children?sort=evil`)).status).toBe(400);

    const c = page.body.items[0]!;
    const ranged = await fetch(`${ts.url}/api/files/nodes/${c.id}/content`, { headers: { cookie: alice.cookie, range: 'bytes=1-' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 1-2/3');
    expect(await ranged.text()).toBe('cc');
    const whole = await fetch(`${ts.url}/api/files/nodes/${c.id}/content`, { headers: { cookie: alice.cookie } });
    expect(await whole.text()).toBe('ccc');
    expect(whole.headers.get('etag')).toBe(c.etag);
    const notModified = await fetch(`${ts.url}/api/files/nodes/${c.id}/content`, { headers: { cookie: alice.cookie, 'if-none-match': c.etag } });
    expect(notModified.status).toBe(304);
    const bad = await fetch(`${ts.url}/api/files/nodes/${c.id}/content`, { headers: { cookie: alice.cookie, range: 'bytes=9-' } });
    expect(bad.status).toBe(416);
  });

  it('keeps versions on overwrite, honours If-Match, restores a version', async () => {
    const first = await upload(alice, ts.url, space.rootId, 'report.txt', 'version 1');
    expect(first.status).toBe(201);
    const stale = first.body.etag;
    const second = await upload(alice, ts.url, space.rootId, 'report.txt', 'version 2', { 'if-match': stale });
    expect(second.status).toBe(200);
    expect(second.body.etag).not.toBe(stale);
    const conflict = await upload(alice, ts.url, space.rootId, 'report.txt', 'lost update', { 'if-match': stale });
    expect(conflict.status).toBe(412);
    expect(conflict.body.error?.code).toBe('precondition_failed');
    expect((await upload(alice, ts.url, space.rootId, 'report.txt', 'x', { 'if-none-match': '*' })).status).toBe(412);

    const versions = await alice.get<{ versions: { id: string; size: number }[] }>(`/api/files/nodes/${first.body.id}/versions`);
    expect(versions.body.versions).toHaveLength(1);
    const restored = await alice.post<Node>(`/api/files/nodes/${first.body.id}/versions/${versions.body.versions[0]!.id}/restore`);
    expect(restored.status).toBe(200);
    const text = await (await fetch(`${ts.url}/api/files/nodes/${first.body.id}/content`, { headers: { cookie: alice.cookie } })).text();
    expect(text).toBe('version 1');
    // What was current before the restore is a version now: nothing was lost.
    const after = await alice.get<{ versions: unknown[] }>(`/api/files/nodes/${first.body.id}/versions`);
    expect(after.body.versions).toHaveLength(1);

    // Only the newest ten versions stay.
    for (let i = 0; i < 12; i++) await upload(alice, ts.url, space.rootId, 'report.txt', `v${i}`);
    const many = await alice.get<{ versions: unknown[] }>(`/api/files/nodes/${first.body.id}/versions`);
    expect(many.body.versions).toHaveLength(10);
  });

  it('renames, moves and copies with conflict handling; the ETag changes', async () => {
    const dir = await alice.post<Node>(`/api/files/nodes/${space.rootId}/folders`, { name: 'Move' });
    const f = await upload(alice, ts.url, space.rootId, 'm.txt', 'move me');
    const renamed = await alice.patch<Node>(`/api/files/nodes/${f.body.id}`, { name: 'moved.txt' });
    expect(renamed.body.name).toBe('moved.txt');
    expect(renamed.body.etag).not.toBe(f.body.etag);
    const moved = await alice.patch<Node>(`/api/files/nodes/${f.body.id}`, { parentId: dir.body.id });
    expect(moved.body.parentId).toBe(dir.body.id);
    const other = await upload(alice, ts.url, space.rootId, 'moved.txt', 'other');
    expect((await alice.patch(`/api/files/nodes/${other.body.id}`, { parentId: dir.body.id })).code).toBe('name_taken');
    const copy = await alice.post<Node>(`/api/files/nodes/${other.body.id}/copy`, { parentId: dir.body.id, onConflict: 'overwrite' });
    expect(copy.status).toBe(201);
    const list = await alice.get<{ items: Node[] }>(`/api/files/nodes/${dir.body.id}/children`);
    expect(list.body.items.map((n) => [n.name, n.size])).toEqual([['moved.txt', 5]]);
    // The overwritten file went to the trash, not away.
    const trash = await alice.get<{ items: { name: string }[] }>(`/api/files/spaces/${space.id}/trash`);
    expect(trash.body.items.map((t) => t.name)).toContain('moved.txt');
    expect((await alice.patch(`/api/files/nodes/${dir.body.id}`, { parentId: dir.body.id })).code).toBe('into_itself');
    // Replacing the folder that holds the item would delete the item with it.
    const outer = await alice.post<Node>(`/api/files/nodes/${space.rootId}/folders`, { name: 'Outer' });
    const inner = await alice.post<Node>(`/api/files/nodes/${outer.body.id}/folders`, { name: 'Outer' });
    expect((await alice.patch(`/api/files/nodes/${inner.body.id}`, { parentId: space.rootId, onConflict: 'overwrite' })).code).toBe('into_itself');
    expect((await alice.post(`/api/files/nodes/${inner.body.id}/copy`, { parentId: space.rootId, onConflict: 'overwrite' })).code).toBe('into_itself');
    expect((await alice.get(`/api/files/nodes/${inner.body.id}`)).status).toBe(200);
    expect((await alice.patch(`/api/files/nodes/${copy.body.id}`, { name: 'x' }))).toMatchObject({ status: 200 });
    const ifMatch = await fetch(`${ts.url}/api/files/nodes/${copy.body.id}`, {
      method: 'PATCH',
      headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'application/json', 'if-match': copy.body.etag },
      body: JSON.stringify({ name: 'y' }),
    });
    expect(ifMatch.status).toBe(412);
  });

  it('deletes to the trash, restores, purges for good (blob deleted by a job)', async () => {
    const dir = await alice.post<Node>(`/api/files/nodes/${space.rootId}/folders`, { name: 'Trashme' });
    const f = await upload(alice, ts.url, dir.body.id, 'inner.txt', 'inner');
    expect((await alice.del(`/api/files/nodes/${dir.body.id}`)).status).toBe(204);
    expect((await alice.get(`/api/files/nodes/${f.body.id}`)).status).toBe(404);
    let trash = await alice.get<{ items: { id: string; name: string; originalPath: string }[] }>(`/api/files/spaces/${space.id}/trash`);
    const item = trash.body.items.find((t) => t.name === 'Trashme')!;
    expect(item.originalPath).toBe('/Trashme');
    // A new folder may take the name while the old one is in the trash; the restore then gets "(2)".
    await alice.post(`/api/files/nodes/${space.rootId}/folders`, { name: 'Trashme' });
    const restored = await alice.post<Node>(`/api/files/trash/${item.id}/restore`);
    expect(restored.body.name, JSON.stringify(restored.body)).toBe('Trashme (2)');
    expect((await alice.get(`/api/files/nodes/${f.body.id}`)).status).toBe(200);

    const db = ts.server.platform.db.withTables<FilesTables>();
    const key = (await db.selectFrom('files_nodes').select('blob_key').where('id', '=', f.body.id).executeTakeFirstOrThrow()).blob_key!;
    await alice.del(`/api/files/nodes/${dir.body.id}`);
    expect((await alice.del(`/api/files/trash/${item.id}`)).status).toBe(204);
    trash = await alice.get(`/api/files/spaces/${space.id}/trash`);
    expect(trash.body.items.find((t) => t.id === item.id)).toBeUndefined();
    const deadline = Date.now() + 15_000;
    while ((await ts.server.platform.blobs.stat(key)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ts.server.platform.blobs.stat(key)).toBeNull();
    const audit = await ts.server.platform.audit.query({ action: 'files.' });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['files.trash', 'files.restore', 'files.purge']));
  });

  it('empties trash older than the retention period, and only that', async () => {
    const old = await upload(alice, ts.url, space.rootId, 'old-trash.txt', 'old');
    const fresh = await upload(alice, ts.url, space.rootId, 'fresh-trash.txt', 'fresh');
    await alice.del(`/api/files/nodes/${old.body.id}`);
    await alice.del(`/api/files/nodes/${fresh.body.id}`);
    const db = ts.server.platform.db.withTables<FilesTables>();
    await db.updateTable('files_nodes').set({ trashed_at: new Date(Date.now() - 31 * 24 * 3600_000).toISOString() }).where('id', '=', old.body.id).execute();
    const files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
    expect(await files.purgeExpiredTrash()).toBe(1);
    const trash = await alice.get<{ items: { id: string }[] }>(`/api/files/spaces/${space.id}/trash`);
    expect(trash.body.items.map((t) => t.id)).toContain(fresh.body.id);
    expect(trash.body.items.map((t) => t.id)).not.toContain(old.body.id);
    expect(await db.selectFrom('files_nodes').select('id').where('id', '=', old.body.id).execute()).toEqual([]);
  });

  it("deletes a deleted person's personal files, blobs included", async () => {
    await createUser(ts, { username: 'erin' });
    const erin = await signIn(ts.url, 'erin', 'erin-password-1');
    const erinSpace = (await erin.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces[0]!;
    const f = await upload(erin, ts.url, erinSpace.rootId, 'erin.txt', 'erin data');
    const db = ts.server.platform.db.withTables<FilesTables>();
    const key = (await db.selectFrom('files_nodes').select('blob_key').where('id', '=', f.body.id).executeTakeFirstOrThrow()).blob_key!;
    const files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
    expect(await files.deleteSpacesOfDeletedPeople()).toBe(0);
    await ts.identity.service.deleteUser((await ts.identity.service.findUser('erin'))!.id, TEST_ACTOR);
    expect(await files.deleteSpacesOfDeletedPeople()).toBe(1);
    expect(await db.selectFrom('files_spaces').select('id').where('id', '=', erinSpace.id).execute()).toEqual([]);
    expect(await db.selectFrom('files_nodes').select('id').where('space_id', '=', erinSpace.id).execute()).toEqual([]);
    const deadline = Date.now() + 15_000;
    while ((await ts.server.platform.blobs.stat(key)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ts.server.platform.blobs.stat(key)).toBeNull();
    // Everyone else's files are untouched.
    expect((await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces[0]!.id).toBe(space.id);
  });

  it('refuses uploads past the quota with 507 and stores nothing', async () => {
    const before = (await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces[0]!.usedBytes;
    const big = await upload(alice, ts.url, space.rootId, 'big.bin', Buffer.alloc(20_000, 1));
    expect(big.status).toBe(507);
    expect(big.body.error?.code).toBe('quota_exceeded');
    const after = (await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces[0]!;
    expect(after.usedBytes).toBe(before);
    const names = (await alice.get<{ items: Node[] }>(`/api/files/nodes/${space.rootId}/children?limit=1000`)).body.items.map((n) => n.name);
    expect(names).not.toContain('big.bin');
  });

  it('refuses bad names', async () => {
    for (const name of ['..', '.', 'a/b', 'nul\u0000x', 'tab\tx', '', 'x'.repeat(256), 'é'.repeat(128)]) {
      const res = await alice.post(`/api/files/nodes/${space.rootId}/folders`, { name });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect((await upload(alice, ts.url, space.rootId, name, 'x')).status, JSON.stringify(name)).toBe(400);
    }
    expect((await alice.post(`/api/files/nodes/${space.rootId}/folders`, { name: 'ok', extra: 1 })).status).toBe(400);
    expect((await alice.post(`/api/files/nodes/${space.rootId}/folders`, { name: 'x'.repeat(255) })).status).toBe(201);
  });

  it("keeps other people's files out of reach, and needs a session", async () => {
    const secret = await upload(alice, ts.url, space.rootId, 'secret.txt', 'alice only');
    expect((await bob.get(`/api/files/nodes/${secret.body.id}`)).status).toBe(404);
    expect((await bob.get(`/api/files/nodes/${secret.body.id}/content`)).status).toBe(404);
    expect((await bob.get(`/api/files/nodes/${space.rootId}/children`)).status).toBe(404);
    expect((await bob.del(`/api/files/nodes/${secret.body.id}`)).status).toBe(404);
    expect((await bob.patch(`/api/files/nodes/${secret.body.id}`, { name: 'mine.txt' })).status).toBe(404);
    expect((await bob.get(`/api/files/spaces/${space.id}/trash`)).status).toBe(404);
    const bobSpace = (await bob.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces[0]!;
    expect((await bob.post(`/api/files/nodes/${secret.body.id}/copy`, { parentId: bobSpace.rootId })).status).toBe(404);
    expect((await upload(bob, ts.url, space.rootId, 'drop.txt', 'x')).status).toBe(404);
    expect((await fetch(`${ts.url}/api/files/spaces`)).status).toBe(401);
    // Without the CSRF header a session cannot write.
    const noCsrf = await fetch(`${ts.url}/api/files/nodes/${space.rootId}/upload?name=x.txt`, { method: 'PUT', headers: { cookie: alice.cookie }, body: 'x' });
    expect(noCsrf.status).toBe(403);
  });
});
