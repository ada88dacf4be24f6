import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupAdmin, startTestServer, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { IdentityTables } from './tables.js';
import type { GroupView, UserView } from './types.js';

const NASTY = [
  "'; DROP TABLE users; --",
  '<script>alert(1)</script>',
  'Robert"); DELETE FROM groups; --',
  "' OR '1'='1",
  '${7*7}{{7*7}}',
  'Zoë Ñandú 日本語 🎉',
  'line\nbreak',
  'nul\u0000byte',
];
const TOO_LONG = 'x'.repeat(5000);

describe('bad input changes nothing', () => {
  let ts: TestServer;
  let admin: TestClient;
  let targetId: string;
  let seq = 0;

  async function counts(): Promise<Record<string, number>> {
    const db = ts.server.platform.db.withTables<IdentityTables>();
    const out: Record<string, number> = {};
    for (const t of ['users', 'groups', 'group_members', 'sessions', 'app_passwords'] as const) {
      const r = await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      out[t] = Number(r.n);
    }
    return out;
  }

  beforeAll(async () => {
    ts = await startTestServer();
    admin = await setupAdmin(ts);
    const r = await admin.post<{ user: UserView }>('/api/admin/users', { username: 'target', email: 'target@example.org', displayName: 'Target' });
    targetId = r.body.user.id;
  });
  afterAll(async () => {
    await ts.close();
  });

  /** A request that must be a clean 400 and leave every table as it was. */
  async function expectRejected(method: 'post' | 'patch', path: string, body: unknown): Promise<void> {
    const before = await counts();
    const target = (await admin.get<UserView>(`/api/admin/users/${targetId}`)).body;
    const res = await admin[method](path, body);
    expect(res.status, `${method} ${path} ${JSON.stringify(body).slice(0, 120)}`).toBe(400);
    expect(res.code).toBe('invalid_input');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await counts()).toEqual(before);
    const after = (await admin.get<UserView>(`/api/admin/users/${targetId}`)).body;
    expect(after).toEqual(target);
  }

  /** Either a clean 400 (nothing changed) or stored verbatim and returned as JSON. */
  async function expectRejectedOrVerbatim(
    method: 'post' | 'patch',
    path: string,
    body: Record<string, unknown>,
    field: string,
    read: (answer: Record<string, unknown>) => unknown,
  ): Promise<void> {
    const before = await counts();
    const res = await admin[method]<Record<string, unknown>>(path, body);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    if (res.status === 400) {
      expect(res.code).toBe('invalid_input');
      expect(await counts()).toEqual(before);
      return;
    }
    expect([200, 201]).toContain(res.status);
    expect(read(res.body), `${field} of ${path}`).toBe(body[field]);
    const after = await counts();
    const grew = Object.entries(after).filter(([k, v]) => v !== before[k]);
    expect(grew.length).toBeLessThanOrEqual(1);
  }

  it('rejects unknown fields, wrong types and oversized strings on create-user, update-user and create-group', async () => {
    const good = () => ({ username: `u${++seq}`, email: `u${seq}@example.org`, displayName: 'U' });
    await expectRejected('post', '/api/admin/users', { ...good(), role: 'admin' });
    await expectRejected('post', '/api/admin/users', { ...good(), isAdmin: 'true' });
    await expectRejected('post', '/api/admin/users', { ...good(), quotaBytes: '100' });
    await expectRejected('post', '/api/admin/users', { ...good(), quotaBytes: -1 });
    await expectRejected('post', '/api/admin/users', { ...good(), quotaBytes: 1.5 });
    await expectRejected('post', '/api/admin/users', { ...good(), username: 42 });
    await expectRejected('post', '/api/admin/users', { ...good(), displayName: TOO_LONG });
    await expectRejected('post', '/api/admin/users', { ...good(), displayName: '' });
    await expectRejected('post', '/api/admin/users', { ...good(), email: `${TOO_LONG}@example.org` });
    await expectRejected('post', '/api/admin/users', { ...good(), password: TOO_LONG });
    await expectRejected('post', '/api/admin/users', { ...good(), username: 'a'.repeat(65) });
    await expectRejected('post', '/api/admin/users', [good()]);
    await expectRejected('post', '/api/admin/users', null);
    await expectRejected('patch', `/api/admin/users/${targetId}`, { username: 'renamed' });
    await expectRejected('patch', `/api/admin/users/${targetId}`, { status: 'disabled' });
    await expectRejected('patch', `/api/admin/users/${targetId}`, { displayName: TOO_LONG });
    await expectRejected('patch', `/api/admin/users/${targetId}`, { isAdmin: 1 });
    await expectRejected('patch', `/api/admin/users/${targetId}`, { language: 'klingon' });
    await expectRejected('patch', `/api/admin/users/${targetId}`, { timeZone: 'Europe/Atlantis' });
    await expectRejected('post', '/api/admin/groups', { name: 'g1', displayName: 'G', members: [] });
    await expectRejected('post', '/api/admin/groups', { name: 'g1', displayName: 'G', require2fa: 'yes' });
    await expectRejected('post', '/api/admin/groups', { name: 'g1', displayName: 'G', description: TOO_LONG });
    await expectRejected('post', '/api/admin/groups', { name: 'G 1', displayName: 'G' });
  });

  it('rejects non-JSON and oversized bodies cleanly', async () => {
    const before = await counts();
    const res = await fetch(`${ts.url}/api/admin/users`, { method: 'POST', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, body: '{"username":' });
    expect(res.status).toBe(400);
    const xml = await fetch(`${ts.url}/api/admin/users`, { method: 'POST', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/xml' }, body: '<user/>' });
    expect(xml.status).toBe(415);
    const huge = await fetch(`${ts.url}/api/admin/groups`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'huge', displayName: 'H', description: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(await counts()).toEqual(before);
    const nulLogin = await fetch(`${ts.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'ad\u0000min', password: 'x' }) });
    expect(nulLogin.status).toBe(400);
    expect((await admin.get(`/api/admin/users?q=${encodeURIComponent('a\u0000')}`)).status).toBe(400);
    expect(await ts.identity.service.verifyAppPassword('ad\u0000min', 'x', '127.0.0.9')).toBeNull();
  });

  it('stores injection strings verbatim or refuses them, in every text field', async () => {
    for (const s of NASTY) {
      const n = ++seq;
      const base = { username: `n${n}`, email: `n${n}@example.org`, displayName: `N${n}` };
      await expectRejectedOrVerbatim('post', '/api/admin/users', { ...base, username: s }, 'username', (b) => (b.user as UserView).username);
      await expectRejectedOrVerbatim('post', '/api/admin/users', { ...base, username: `e${n}`, email: s }, 'email', (b) => (b.user as UserView).email);
      await expectRejectedOrVerbatim('post', '/api/admin/users', { ...base, username: `d${n}`, email: `d${n}@example.org`, displayName: s }, 'displayName', (b) => (b.user as UserView).displayName);
      await expectRejectedOrVerbatim('post', '/api/admin/users', { ...base, username: `p${n}`, email: `p${n}@example.org`, password: `${s}-long-enough` }, 'username', (b) => (b.user as UserView).username);
      await expectRejectedOrVerbatim('post', '/api/admin/users', { ...base, username: `t${n}`, email: `t${n}@example.org`, timeZone: s }, 'timeZone', (b) => (b.user as UserView).timeZone);
      await expectRejectedOrVerbatim('post', '/api/admin/users', { ...base, username: `l${n}`, email: `l${n}@example.org`, language: s }, 'language', (b) => (b.user as UserView).language);
      await expectRejectedOrVerbatim('patch', `/api/admin/users/${targetId}`, { displayName: s }, 'displayName', (b) => b.displayName);
      await expectRejectedOrVerbatim('patch', `/api/admin/users/${targetId}`, { email: s }, 'email', (b) => b.email);
      await expectRejectedOrVerbatim('patch', `/api/admin/users/${targetId}`, { timeZone: s }, 'timeZone', (b) => b.timeZone);
      await expectRejectedOrVerbatim('post', '/api/admin/groups', { name: s, displayName: 'G' }, 'name', (b) => (b as unknown as GroupView).name);
      await expectRejectedOrVerbatim('post', '/api/admin/groups', { name: `gd${n}`, displayName: s }, 'displayName', (b) => (b as unknown as GroupView).displayName);
      await expectRejectedOrVerbatim('post', '/api/admin/groups', { name: `gs${n}`, displayName: 'G', description: s }, 'description', (b) => (b as unknown as GroupView).description);
    }
    // The tables are all still there and the stored strings read back exactly.
    const db = ts.server.platform.db.withTables<IdentityTables>();
    const script = await db.selectFrom('groups').select('description').where('description', '=', '<script>alert(1)</script>').executeTakeFirst();
    expect(script?.description).toBe('<script>alert(1)</script>');
    const drop = await db.selectFrom('users').select('display_name').where('display_name', '=', "'; DROP TABLE users; --").executeTakeFirst();
    expect(drop?.display_name).toBe("'; DROP TABLE users; --");
    const list = await admin.get<{ users: UserView[]; total: number }>(`/api/admin/users?q=${encodeURIComponent("'; DROP")}`);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    const wild = await admin.get<{ total: number }>(`/api/admin/users?q=${encodeURIComponent('%')}`);
    expect(wild.body.total).toBe(0);
  });
});
