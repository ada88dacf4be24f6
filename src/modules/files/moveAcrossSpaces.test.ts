import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import { restUpload } from './testing/fixtures.js';

interface Node {
  id: string;
  name: string;
  parentId: string;
  etag: string;
  error?: { code: string };
}
interface Space {
  id: string;
  kind: string;
  name: string;
  rootId: string;
  usedBytes: number;
}

async function upload(c: TestClient, base: string, folderId: string, name: string, body: string) {
  return (await (await restUpload(c, base, folderId, name, body, 'text/plain')).json()) as Node;
}

describe('moving between spaces', () => {
  let ts: TestServer;
  let alice: TestClient;
  let carol: TestClient;
  let personal: Space;
  let team: Space;

  beforeAll(async () => {
    ts = await startTestServer();
    const a = await createUser(ts, { username: 'alice', quotaBytes: 1_000 });
    const c = await createUser(ts, { username: 'carol' });
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    carol = await signIn(ts.url, 'carol', 'carol-password-1');
    const group = await ts.identity.service.createGroup({ name: 'team', displayName: 'Team' }, TEST_ACTOR);
    for (const { user } of [a, c]) await ts.identity.service.addGroupMember(group.id, { type: 'user', id: user.id }, TEST_ACTOR);
    const spaces = (await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces;
    personal = spaces.find((s) => s.kind === 'personal')!;
    team = spaces.find((s) => s.name === 'team')!;
  });
  afterAll(() => ts?.close());

  it('moves a folder with its files, versions, trashed items and shares into a group space, in one step', async () => {
    const folder = (await alice.post<Node>(`/api/files/nodes/${personal.rootId}/folders`, { name: 'Project' })).body;
    const doc = await upload(alice, ts.url, folder.id, 'doc.txt', 'first');
    await upload(alice, ts.url, folder.id, 'doc.txt', 'second');
    const scrap = await upload(alice, ts.url, folder.id, 'scrap.txt', 'scrap');
    expect((await alice.del(`/api/files/nodes/${scrap.id}`)).status).toBe(204);
    const share = await alice.post(`/api/files/nodes/${doc.id}/shares`, { grantee: { type: 'user', login: 'carol' }, role: 'view' });
    expect(share.status).toBe(201);

    const moved = await alice.patch<Node>(`/api/files/nodes/${folder.id}`, { parentId: team.rootId });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.parentId).toBe(team.rootId);

    // Carol, a team member, now finds it in the team space; alice's space no longer has it.
    const teamList = await carol.get<{ items: Node[] }>(`/api/files/nodes/${team.rootId}/children`);
    expect(teamList.body.items.map((n) => n.name)).toContain('Project');
    const mine = await alice.get<{ items: Node[] }>(`/api/files/nodes/${personal.rootId}/children`);
    expect(mine.body.items.map((n) => n.name)).not.toContain('Project');
    const text = await (await fetch(`${ts.url}/api/files/nodes/${doc.id}/content`, { headers: { cookie: carol.cookie } })).text();
    expect(text).toBe('second');
    // The version history and the share came along; the usage moved from one space to the other.
    expect((await carol.get<{ versions: unknown[] }>(`/api/files/nodes/${doc.id}/versions`)).body.versions).toHaveLength(1);
    expect((await alice.get<{ shares: unknown[] }>(`/api/files/nodes/${doc.id}/shares`)).body.shares).toHaveLength(1);
    const spaces = (await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces;
    expect(spaces.find((s) => s.kind === 'personal')!.usedBytes).toBe(0);
    expect(spaces.find((s) => s.name === 'team')!.usedBytes).toBe('second'.length);
    // The trashed file followed its folder: it is in the team's trash and restores into the moved folder.
    const teamTrash = await carol.get<{ items: { id: string; name: string }[] }>(`/api/files/spaces/${team.id}/trash`);
    const item = teamTrash.body.items.find((t) => t.name === 'scrap.txt')!;
    expect(item).toBeDefined();
    expect((await alice.get<{ items: { name: string }[] }>(`/api/files/spaces/${personal.id}/trash`)).body.items.map((t) => t.name)).not.toContain('scrap.txt');
    expect((await carol.post(`/api/files/trash/${item.id}/restore`)).status).toBe(200);
    const inside = await carol.get<{ items: Node[] }>(`/api/files/nodes/${folder.id}/children`);
    expect(inside.body.items.map((n) => n.name).sort()).toEqual(['doc.txt', 'scrap.txt']);
  });

  it("refuses a move that would exceed the destination's quota, and changes nothing", async () => {
    const big = await upload(carol, ts.url, team.rootId, 'big.bin', 'x'.repeat(1_500));
    const res = await alice.patch<Node>(`/api/files/nodes/${big.id}`, { parentId: personal.rootId });
    expect(res.status).toBe(507);
    expect(res.body.error?.code).toBe('quota_exceeded');
    expect((await carol.get<Node>(`/api/files/nodes/${big.id}`)).body.parentId).toBe(team.rootId);
  });

  it('lets only the space\'s people move an item out of it; someone it is shared with gets 403', async () => {
    const note = await upload(alice, ts.url, personal.rootId, 'note.txt', 'mine');
    await alice.post(`/api/files/nodes/${note.id}/shares`, { grantee: { type: 'user', login: 'carol' }, role: 'edit' });
    const res = await carol.patch<Node>(`/api/files/nodes/${note.id}`, { parentId: team.rootId });
    expect(res.status).toBe(403);
    expect((await alice.get<Node>(`/api/files/nodes/${note.id}`)).body.parentId).toBe(personal.rootId);
  });
});
