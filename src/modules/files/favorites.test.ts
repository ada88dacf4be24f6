import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { FilesTables } from './tables.js';

interface Node {
  id: string;
  name: string;
  kind: string;
  spaceId: string;
}
interface Space {
  id: string;
  kind: string;
  name: string;
  rootId: string;
}

describe('favorites and recent files', () => {
  let ts: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let aliceRoot: string;
  let team: Space;
  let project: Node;

  const put = async (c: TestClient, folderId: string, name: string, body: string) => {
    const res = await fetch(`${ts.url}/api/files/nodes/${folderId}/upload?name=${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'text/plain' },
      body,
    });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as Node;
  };
  const favorites = async (c: TestClient) => (await c.get<{ items: (Node & { favoritedAt: string })[] }>('/api/files/favorites')).body.items.map((n) => n.name);
  const recent = async (c: TestClient, limit = 50) => (await c.get<{ items: Node[] }>(`/api/files/recent?limit=${limit}`)).body.items.map((n) => n.name);
  // Distinct modification times, so "newest first" is a real order.
  const tick = () => new Promise((r) => setTimeout(r, 5));

  beforeAll(async () => {
    ts = await startTestServer();
    const { user: a } = await createUser(ts, { username: 'alice' });
    const { user: b } = await createUser(ts, { username: 'bob' });
    const group = await ts.identity.service.createGroup({ name: 'team', displayName: 'Team' }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: a.id }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: b.id }, TEST_ACTOR);
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    bob = await signIn(ts.url, 'bob', 'bob-password-1');
    const spaces = (await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces;
    aliceRoot = spaces.find((s) => s.kind === 'personal')!.rootId;
    team = spaces.find((s) => s.kind === 'group')!;
    project = (await alice.post<Node>(`/api/files/nodes/${aliceRoot}/folders`, { name: 'Project' })).body;
  });
  afterAll(async () => {
    await ts.close();
  });

  it('stars what one can view, lists it newest first, and un-stars', async () => {
    const plan = await put(alice, project.id, 'plan.txt', 'plan');
    expect((await alice.put(`/api/files/nodes/${plan.id}/favorite`)).status).toBe(204);
    await tick();
    expect((await alice.put(`/api/files/nodes/${project.id}/favorite`)).status).toBe(204);
    // Idempotent.
    expect((await alice.put(`/api/files/nodes/${plan.id}/favorite`)).status).toBe(204);
    expect(await favorites(alice)).toEqual(['Project', 'plan.txt']);
    // Someone else's item is not found, and nothing is stored for it.
    expect((await bob.put(`/api/files/nodes/${plan.id}/favorite`)).status).toBe(404);
    expect(await favorites(bob)).toEqual([]);
    expect((await alice.put(`/api/files/nodes/${plan.id}/favorite`, { extra: true })).status).toBe(400);

    expect((await alice.del(`/api/files/nodes/${project.id}/favorite`)).status).toBe(204);
    expect(await favorites(alice)).toEqual(['plan.txt']);
  });

  it('drops favorites one loses access to, and those in the trash until restored', async () => {
    const spec = await put(alice, project.id, 'spec.txt', 'spec');
    const share = await alice.post<{ id: string }>(`/api/files/nodes/${project.id}/shares`, { grantee: { type: 'user', login: 'bob' }, role: 'view' });
    expect(share.status).toBe(201);
    expect((await bob.put(`/api/files/nodes/${spec.id}/favorite`)).status).toBe(204);
    expect(await favorites(bob)).toEqual(['spec.txt']);
    expect((await alice.del(`/api/files/nodes/${project.id}/shares/${share.body.id}`)).status).toBe(204);
    expect(await favorites(bob)).toEqual([]);

    expect((await alice.put(`/api/files/nodes/${spec.id}/favorite`)).status).toBe(204);
    expect(await favorites(alice)).toContain('spec.txt');
    expect((await alice.del(`/api/files/nodes/${spec.id}`)).status).toBe(204);
    expect(await favorites(alice)).not.toContain('spec.txt');
    expect((await alice.post(`/api/files/trash/${spec.id}/restore`)).status).toBe(200);
    expect(await favorites(alice)).toContain('spec.txt');
  });

  it('lists recently changed files of one’s spaces and shares, newest first, nothing else', async () => {
    const other = (await alice.post<Node>(`/api/files/nodes/${aliceRoot}/folders`, { name: 'Private' })).body;
    await put(alice, other.id, 'secret.txt', 's');
    await tick();
    await put(alice, project.id, 'older.txt', 'o');
    await tick();
    await put(bob, team.rootId, 'team-note.txt', 't');
    await tick();
    await put(alice, project.id, 'newest.txt', 'n');

    const mine = await recent(alice);
    expect(mine.slice(0, 4)).toEqual(['newest.txt', 'team-note.txt', 'older.txt', 'secret.txt']);
    expect(await recent(alice, 2)).toEqual(['newest.txt', 'team-note.txt']);
    // Folders are not listed.
    expect(mine).not.toContain('Project');

    // Bob: his group's file; alice's project only while it is shared with him.
    expect(await recent(bob)).toEqual(['team-note.txt']);
    expect((await alice.post(`/api/files/nodes/${project.id}/shares`, { grantee: { type: 'user', login: 'bob' }, role: 'view' })).status).toBe(201);
    const bobs = await recent(bob);
    expect(bobs.slice(0, 3)).toEqual(['newest.txt', 'team-note.txt', 'older.txt']);
    expect(bobs).not.toContain('secret.txt');
    // A folder inside the share, shared with him again: its file is listed once.
    const inner = (await alice.post<Node>(`/api/files/nodes/${project.id}/folders`, { name: 'Inner' })).body;
    await put(alice, inner.id, 'deep.txt', 'd');
    expect((await alice.post(`/api/files/nodes/${inner.id}/shares`, { grantee: { type: 'user', login: 'bob' }, role: 'edit' })).status).toBe(201);
    expect((await recent(bob)).filter((n) => n === 'deep.txt')).toEqual(['deep.txt']);
    // Trashed files leave the list.
    const newest = (await alice.get<{ items: Node[] }>(`/api/files/nodes/${project.id}/children`)).body.items.find((n) => n.name === 'newest.txt')!;
    expect((await alice.del(`/api/files/nodes/${newest.id}`)).status).toBe(204);
    expect(await recent(bob)).not.toContain('newest.txt');
    expect((await bob.get('/api/files/recent?limit=0')).status).toBe(400);
    expect((await bob.get('/api/files/recent?since=x')).status).toBe(400);
  });

  it('lists what one opened (download, preview) by when it was opened, only while one may still open it', async () => {
    const box = (await alice.post<Node>(`/api/files/nodes/${aliceRoot}/folders`, { name: 'Archive' })).body;
    const old = await put(alice, box.id, 'old-minutes.txt', 'minutes of 2019');
    await tick();
    await put(alice, box.id, 'fresh.txt', 'fresh');
    await tick();
    expect((await recent(alice))[0]).toBe('fresh.txt');

    // Downloading the older file brings it to the top of Recent.
    expect((await alice.get(`/api/files/nodes/${old.id}/content`)).status).toBe(200);
    expect((await recent(alice)).slice(0, 2)).toEqual(['old-minutes.txt', 'fresh.txt']);
    // A preview shown counts too; describing it or its thumbnail does not.
    const fresh = (await alice.get<{ items: Node[] }>(`/api/files/nodes/${box.id}/children`)).body.items.find((n) => n.name === 'fresh.txt')!;
    await tick();
    expect((await alice.get(`/api/files/nodes/${fresh.id}/preview`)).status).toBe(200);
    expect((await recent(alice))[0]).toBe('old-minutes.txt');
    expect((await alice.get(`/api/files/nodes/${fresh.id}/preview/content`)).status).toBe(200);
    expect((await recent(alice)).slice(0, 2)).toEqual(['fresh.txt', 'old-minutes.txt']);

    // Bob opens it through a share: on his list while shared, gone when the share ends.
    const share = (await alice.post<{ id: string }>(`/api/files/nodes/${box.id}/shares`, { grantee: { type: 'user', login: 'bob' }, role: 'view' })).body;
    await tick();
    expect((await bob.get(`/api/files/nodes/${old.id}/content`)).status).toBe(200);
    expect((await recent(bob))[0]).toBe('old-minutes.txt');
    expect((await alice.del(`/api/files/nodes/${box.id}/shares/${share.id}`)).status).toBe(204);
    expect(await recent(bob)).not.toContain('old-minutes.txt');

    // Opening what one may not open records nothing; purging the file forgets its opens.
    expect((await bob.get(`/api/files/nodes/${old.id}/content`)).status).toBe(404);
    const opened = () => ts.server.platform.db.withTables<FilesTables>().selectFrom('files_opened').select(['user_id', 'node_id']).where('node_id', '=', old.id).execute();
    expect((await opened()).length).toBe(2);
    expect((await alice.del(`/api/files/nodes/${old.id}`)).status).toBe(204);
    expect(await recent(alice)).not.toContain('old-minutes.txt');
    const trash = (await alice.get<{ items: { id: string; name: string }[] }>(`/api/files/spaces/${(await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!.id}/trash`)).body.items;
    const item = trash.find((t) => t.name === 'old-minutes.txt')!;
    expect((await alice.del(`/api/files/trash/${item.id}`)).status).toBe(204);
    expect(await opened()).toEqual([]);
  });
});
