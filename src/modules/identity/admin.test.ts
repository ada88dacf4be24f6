import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, setupAdmin, signIn, startTestServer, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { IdentityTables } from './tables.js';
import type { GroupView, UserView } from './types.js';

// Smallest valid-looking images: only the leading bytes matter to the sniffer.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32, 2)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(24, 3)]);

describe('administration of people and groups', () => {
  let ts: TestServer;
  let admin: TestClient;
  beforeAll(async () => {
    ts = await startTestServer();
    admin = await setupAdmin(ts);
  });
  afterAll(async () => {
    await ts.close();
  });

  it('creates, lists, edits, resets and deletes a person', async () => {
    const created = await admin.post<{ user: UserView; initialPassword?: string }>('/api/admin/users', {
      username: 'grace',
      email: 'Grace@Example.org',
      displayName: 'Grace Hopper',
      language: 'fr',
      timeZone: 'Europe/Paris',
      quotaBytes: 1_000_000,
    });
    expect(created.status).toBe(201);
    expect(created.body.initialPassword).toMatch(/^.{20}$/);
    expect(created.body.user).toMatchObject({ username: 'grace', email: 'Grace@Example.org', language: 'fr', timeZone: 'Europe/Paris', quotaBytes: 1_000_000, isAdmin: false });
    const id = created.body.user.id;
    expect((await signIn(ts.url, 'grace@example.org', created.body.initialPassword!)).login.status).toBe('ok');

    const dupUser = await admin.post('/api/admin/users', { username: 'grace', email: 'other@example.org', displayName: 'G' });
    expect(dupUser.status).toBe(409);
    expect(dupUser.code).toBe('username_taken');
    const dupMail = await admin.post('/api/admin/users', { username: 'grace2', email: 'GRACE@example.ORG', displayName: 'G' });
    expect(dupMail.status).toBe(409);
    expect(dupMail.code).toBe('email_taken');
    expect((await admin.post('/api/admin/users', { username: 'x', email: 'x@example.org', displayName: 'X' })).status).toBe(400);
    expect((await admin.post('/api/admin/users', { username: 'Upper', email: 'u@example.org', displayName: 'U' })).status).toBe(400);
    expect((await admin.post('/api/admin/users', { username: 'tz', email: 'tz@example.org', displayName: 'T', timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await admin.post('/api/admin/users', { username: 'pw', email: 'pw@example.org', displayName: 'P', password: 'short' })).status).toBe(400);

    const list = await admin.get<{ users: (UserView & { lastLoginAt: string | null })[]; total: number }>('/api/admin/users?q=HOPPER&limit=10');
    expect(list.body.total).toBe(1);
    expect(list.body.users[0]!.lastLoginAt).not.toBeNull();
    const all = await admin.get<{ users: UserView[]; total: number }>('/api/admin/users?limit=1&offset=1');
    expect(all.body.total).toBe(2);
    expect(all.body.users).toHaveLength(1);

    const patched = await admin.patch<UserView>(`/api/admin/users/${id}`, { displayName: 'Rear Admiral Hopper', isAdmin: true, timeZone: null, quotaBytes: null });
    expect(patched.body).toMatchObject({ displayName: 'Rear Admiral Hopper', isAdmin: true, timeZone: null, quotaBytes: null });
    const detail = await admin.get<UserView & { groups: unknown[] }>(`/api/admin/users/${id}`);
    expect(detail.body.groups).toEqual([]);

    const reset = await admin.post<{ password: string }>(`/api/admin/users/${id}/reset-password`, { password: 'brand-new-password' });
    expect(reset.body.password).toBe('brand-new-password');
    expect((await client(ts.url).post('/api/auth/login', { login: 'grace', password: 'brand-new-password' })).status).toBe(200);
    expect((await admin.post(`/api/admin/users/${id}/reset-password`, { password: 'short' })).status).toBe(400);

    const team = await admin.post<GroupView>('/api/admin/groups', { name: 'navy', displayName: 'Navy' });
    await admin.post(`/api/admin/groups/${team.body.id}/members`, { type: 'user', id });
    const grace = await signIn(ts.url, 'grace', 'brand-new-password');
    await grace.post('/api/me/app-passwords', { name: 'mail' });
    await grace.put('/api/me/avatar', PNG, 'image/png');
    const db = ts.server.platform.db.withTables<IdentityTables>();
    const avatarKey = (await db.selectFrom('users').select('avatar_key').where('id', '=', id).executeTakeFirstOrThrow()).avatar_key!;
    expect(await ts.server.platform.blobs.stat(avatarKey)).not.toBeNull();
    for (let i = 0; i < 5; i++) await client(ts.url).post('/api/auth/login', { login: 'grace', password: `wrong-password-${i}` });
    expect((await admin.get<{ lockouts: { key: string }[] }>('/api/admin/lockouts')).body.lockouts.map((l) => l.key)).toContain(`account:${id}`);
    expect((await admin.del(`/api/admin/users/${id}`)).status).toBe(204);
    expect((await admin.get<{ lockouts: { key: string }[] }>('/api/admin/lockouts')).body.lockouts.map((l) => l.key)).not.toContain(`account:${id}`);
    expect(await ts.server.platform.blobs.stat(avatarKey)).toBeNull();
    expect((await grace.get('/api/me')).status).toBe(401);
    expect((await admin.get(`/api/admin/users/${id}`)).status).toBe(404);
    expect((await admin.get<GroupView & { members: unknown[] }>(`/api/admin/groups/${team.body.id}`)).body.members).toEqual([]);
    const audit = await ts.server.platform.audit.query({ action: 'user.delete' });
    expect(audit[0]!.details.username).toBe('grace');
    expect((await ts.server.platform.audit.query({ actor: 'grace' })).length).toBeGreaterThan(0);
  });

  it('keeps the last active administrator', async () => {
    const me = (await admin.get<UserView>('/api/me')).body;
    const r = await admin.post(`/api/admin/users/${me.id}/disable`);
    expect(r.status).toBe(409);
    expect(r.code).toBe('last_admin');
    expect((await admin.patch(`/api/admin/users/${me.id}`, { isAdmin: false })).code).toBe('last_admin');
    expect((await admin.del(`/api/admin/users/${me.id}`)).code).toBe('last_admin');
  });

  it('keeps one administrator when the last two demote each other at the same moment', async () => {
    const svc = ts.identity.service;
    const me = (await admin.get<UserView>('/api/me')).body;
    const { user: other } = await svc.createUser({ username: 'olga', email: 'olga@example.org', displayName: 'Olga', password: 'olga-password-1', isAdmin: true }, { id: null, name: 't' });
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled([
        svc.updateUser(me.id, { isAdmin: false }, { id: other.id, name: 'olga' }),
        svc.updateUser(other.id, { isAdmin: false }, { id: me.id, name: 'admin' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const admins = (await svc.listUsers({ limit: 500 })).users.filter((u) => u.isAdmin && u.status === 'active');
      expect(admins).toHaveLength(1);
      // Restore both for the next round (and the tests after this one).
      await svc.updateUser(me.id, { isAdmin: true }, { id: null, name: 't' });
      await svc.updateUser(other.id, { isAdmin: true }, { id: null, name: 't' });
    }
    await svc.deleteUser(other.id, { id: null, name: 't' });
  });

  it('refuses non-admins and signed-out callers', async () => {
    await ts.identity.service.createUser({ username: 'henry', email: 'henry@example.org', displayName: 'Henry', password: 'henry-password-1' }, { id: null, name: 't' });
    const henry = await signIn(ts.url, 'henry', 'henry-password-1');
    for (const path of ['/api/admin/users', '/api/admin/groups', '/api/admin/sessions', '/api/admin/lockouts']) {
      expect((await henry.get(path)).status).toBe(403);
      expect((await client(ts.url).get(path)).status).toBe(401);
    }
    expect((await henry.post('/api/admin/users', { username: 'sneaky', email: 's@example.org', displayName: 'S' })).status).toBe(403);
  });

  it('manages groups: create, edit, list with counts, delete', async () => {
    const g = await admin.post<GroupView>('/api/admin/groups', { name: 'board', displayName: 'Board', description: 'The board' });
    expect(g.status).toBe(201);
    expect((await admin.post('/api/admin/groups', { name: 'board', displayName: 'Board again' })).code).toBe('name_taken');
    const henry = (await ts.identity.service.findUser('henry'))!;
    expect((await admin.post(`/api/admin/groups/${g.body.id}/members`, { type: 'user', id: henry.id })).status).toBe(204);
    expect((await admin.post(`/api/admin/groups/${g.body.id}/members`, { type: 'user', id: 'missing' })).status).toBe(404);
    const patched = await admin.patch<GroupView>(`/api/admin/groups/${g.body.id}`, { require2fa: true, description: '' });
    expect(patched.body).toMatchObject({ require2fa: true, description: '', memberCount: 1 });
    const list = await admin.get<{ groups: GroupView[] }>('/api/admin/groups');
    expect(list.body.groups.find((x) => x.name === 'board')).toMatchObject({ memberCount: 1, require2fa: true });
    expect((await ts.identity.service.getUser(henry.id))!.mfaRequired).toBe(true);
    expect((await admin.del(`/api/admin/groups/${g.body.id}`)).status).toBe(204);
    expect((await ts.identity.service.getUser(henry.id))!.mfaRequired).toBe(false);
    expect((await admin.get(`/api/admin/groups/${g.body.id}`)).status).toBe(404);
    const actions = (await ts.server.platform.audit.query({ action: 'group.' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['group.create', 'group.update', 'group.add_member', 'group.delete']));
  });

  it('stores avatars after checking their bytes and serves them with their type', async () => {
    const henry = await signIn(ts.url, 'henry', 'henry-password-1');
    for (const [img, type] of [[PNG, 'image/png'], [JPEG, 'image/jpeg'], [WEBP, 'image/webp']] as const) {
      const put = await henry.put<UserView>('/api/me/avatar', img, type);
      expect(put.status).toBe(200);
      expect(put.body.avatarUrl).toMatch(/^\/api\/users\/.+\/avatar\?v=/);
      const got = await fetch(ts.url + put.body.avatarUrl!, { headers: { cookie: henry.cookie } });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe(type);
      expect(Buffer.from(await got.arrayBuffer()).equals(img)).toBe(true);
      expect((await fetch(ts.url + put.body.avatarUrl!)).status).toBe(401);
    }
    const fake = await henry.put('/api/me/avatar', Buffer.from('<svg onload=alert(1)>'), 'image/png');
    expect(fake.status).toBe(400);
    const html = await henry.put('/api/me/avatar', Buffer.from('<html></html>'), 'text/html');
    expect(html.status).toBe(415);
    const big = await henry.put('/api/me/avatar', Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]), 'image/png');
    expect(big.status).toBe(413);
    const still = await henry.get<UserView>('/api/me');
    expect(still.body.avatarUrl).not.toBeNull();
    const removed = await henry.del<UserView>('/api/me/avatar');
    expect(removed.body.avatarUrl).toBeNull();
    expect((await fetch(`${ts.url}/api/users/${removed.body.id}/avatar`, { headers: { cookie: henry.cookie } })).status).toBe(404);
  });

  it('lets people edit their own profile within the rules', async () => {
    const henry = await signIn(ts.url, 'henry', 'henry-password-1');
    const ok = await henry.patch<UserView>('/api/me', { displayName: 'Henri', language: 'nl', timeZone: 'America/New_York' });
    expect(ok.body).toMatchObject({ displayName: 'Henri', language: 'nl', timeZone: 'America/New_York' });
    expect((await henry.patch('/api/me', { isAdmin: true })).status).toBe(400);
    expect((await henry.patch('/api/me', { language: 'xx' })).status).toBe(400);
    expect((await henry.get<UserView>('/api/me')).body.isAdmin).toBe(false);
  });
});
