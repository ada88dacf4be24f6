import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, setupAdmin, signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import { restUpload } from './testing/fixtures.js';

interface AdminSpace {
  id: string;
  kind: string;
  name: string;
  usedBytes: number;
  quotaBytes: number | null;
}

async function upload(c: TestClient, base: string, folderId: string, name: string, body: string) {
  const res = await restUpload(c, base, folderId, name, body, 'text/plain');
  return { status: res.status, body: (await res.json()) as { error?: { code: string; details?: { quotaBytes: number; usedBytes: number } } } };
}

describe('group space quotas', () => {
  let ts: TestServer;
  let admin: TestClient;
  let gina: TestClient;
  let ginaAuth: string;
  let team: { id: string; rootId: string };

  beforeAll(async () => {
    ts = await startTestServer();
    admin = await setupAdmin(ts);
    const { user } = await createUser(ts, { username: 'gina' });
    const group = await ts.identity.service.createGroup({ name: 'team', displayName: 'Team' }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: user.id }, TEST_ACTOR);
    gina = await signIn(ts.url, 'gina', 'gina-password-1');
    const { password } = await ts.identity.service.createAppPassword(user.id, 'dav', TEST_ACTOR);
    ginaAuth = 'Basic ' + Buffer.from(`gina:${password}`).toString('base64');
    team = (await gina.get<{ spaces: { id: string; name: string; rootId: string }[] }>('/api/files/spaces')).body.spaces.find((s) => s.name === 'team')!;
  });
  afterAll(() => ts?.close());

  it('lists group spaces with usage for administrators only', async () => {
    expect((await gina.get('/api/admin/files/spaces')).status).toBe(403);
    expect((await upload(gina, ts.url, team.rootId, 'a.txt', 'x'.repeat(600))).status).toBe(201);
    const res = await admin.get<{ spaces: AdminSpace[] }>('/api/admin/files/spaces');
    expect(res.status).toBe(200);
    expect(res.body.spaces.find((s) => s.id === team.id)).toEqual({ id: team.id, kind: 'group', name: 'team', usedBytes: 600, quotaBytes: null });
  });

  it('enforces a quota an administrator sets, over REST and WebDAV, and audits the change', async () => {
    expect((await gina.patch(`/api/admin/files/spaces/${team.id}`, { quotaBytes: 1000 })).status).toBe(403);
    const set = await admin.patch<AdminSpace>(`/api/admin/files/spaces/${team.id}`, { quotaBytes: 1000 });
    expect(set.status).toBe(200);
    expect(set.body.quotaBytes).toBe(1000);

    const refused = await upload(gina, ts.url, team.rootId, 'b.txt', 'y'.repeat(500));
    expect(refused.status).toBe(507);
    expect(refused.body.error).toMatchObject({ code: 'quota_exceeded', details: { quotaBytes: 1000, usedBytes: 600 } });
    const dav = await fetch(`${ts.url}/dav/spaces/team/c.txt`, { method: 'PUT', headers: { authorization: ginaAuth }, body: 'z'.repeat(500) });
    expect(dav.status).toBe(507);
    expect((await upload(gina, ts.url, team.rootId, 'd.txt', 'w'.repeat(300))).status).toBe(201);
    const spaces = (await gina.get<{ spaces: { id: string; usedBytes: number; quotaBytes: number | null }[] }>('/api/files/spaces')).body.spaces;
    expect(spaces.find((s) => s.id === team.id)).toMatchObject({ usedBytes: 900, quotaBytes: 1000 });

    const audit = await ts.server.platform.audit.query({ action: 'files.space.quota' });
    expect(audit[0]).toMatchObject({ action: 'files.space.quota', details: { name: 'team', from: null, to: 1000 } });

    // Back to unlimited: the upload goes through.
    expect((await admin.patch(`/api/admin/files/spaces/${team.id}`, { quotaBytes: null })).status).toBe(200);
    expect((await upload(gina, ts.url, team.rootId, 'b.txt', 'y'.repeat(500))).status).toBe(201);
  });

  it('refuses bad input and personal spaces, changing nothing', async () => {
    for (const body of [{ quotaBytes: -1 }, { quotaBytes: 1.5 }, { quotaBytes: '10' }, {}, { quotaBytes: 10, extra: 1 }]) {
      expect((await admin.patch(`/api/admin/files/spaces/${team.id}`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await admin.patch('/api/admin/files/spaces/nope', { quotaBytes: 10 })).status).toBe(404);
    const personal = (await gina.get<{ spaces: { id: string; kind: string }[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!;
    const res = await admin.patch<{ error: { code: string } }>(`/api/admin/files/spaces/${personal.id}`, { quotaBytes: 10 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('personal_space');
    const listed = (await admin.get<{ spaces: AdminSpace[] }>('/api/admin/files/spaces')).body.spaces.find((s) => s.id === team.id)!;
    expect(listed.quotaBytes).toBeNull();
  });
});
