import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createUser, setupAdmin, signIn, startTestServer, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { IdentityTables } from './tables.js';
import type { UserView } from './types.js';

interface SessionAnswer {
  user: UserView;
  csrfToken: string;
  mfaPending: boolean;
  enrollmentRequired: boolean;
}

describe('sign-in, sessions and CSRF', () => {
  let ts: TestServer;
  let admin: TestClient;
  beforeAll(async () => {
    ts = await startTestServer();
    admin = await setupAdmin(ts);
    await createUser(ts, { username: 'bob' });
    await createUser(ts, { username: 'carol' });
    await createUser(ts, { username: 'dave' });
  });
  afterAll(async () => {
    await ts.close();
  });

  it('signs in by username or e-mail (any case), sets a hardened cookie, and signs out', async () => {
    const anon = client(ts.url);
    const res = await anon.post<{ status: string; user: UserView; csrfToken: string }>('/api/auth/login', { login: 'BOB@example.org', password: 'bob-password-1' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.user.username).toBe('bob');
    expect(res.body.csrfToken).toMatch(/^[\w-]{40,}$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tessera_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    anon.csrf = res.body.csrfToken;

    const session = await anon.get<SessionAnswer>('/api/session');
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ csrfToken: res.body.csrfToken, mfaPending: false, enrollmentRequired: false });

    const bob = await signIn(ts.url, 'bob', 'bob-password-1');
    expect((await bob.get('/api/me')).status).toBe(200);
    expect((await bob.post('/api/auth/logout')).status).toBe(204);
    expect(bob.cookie).toBe('');
    expect((await client(ts.url, { cookie: anon.cookie }).get('/api/me')).status).toBe(200);
  });

  it('answers 401 invalid_credentials for a wrong password and audits the failure with IP and reason', async () => {
    const res = await client(ts.url).post('/api/auth/login', { login: 'carol', password: 'wrong-password-1' });
    expect(res.status).toBe(401);
    expect(res.code).toBe('invalid_credentials');
    const unknown = await client(ts.url).post('/api/auth/login', { login: 'nobody', password: 'wrong-password-1' });
    expect(unknown.status).toBe(401);
    expect(unknown.code).toBe('invalid_credentials');
    const entries = await ts.server.platform.audit.query({ action: 'auth.login' });
    const failure = entries.find((e) => e.outcome === 'failure' && e.actorName === 'carol')!;
    expect(failure.ip).toBe('127.0.0.1');
    expect(failure.details.reason).toBe('wrong_password');
    expect(entries.find((e) => e.outcome === 'failure' && e.actorName === 'nobody')!.details.reason).toBe('unknown_user');
    expect(entries.some((e) => e.outcome === 'success' && e.actorName === 'bob')).toBe(true);
  });

  it('locks an account after 5 failures (429 with retryAfterSeconds) until an admin unlocks it', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await client(ts.url).post('/api/auth/login', { login: 'dave', password: `wrong-password-${i}` });
      expect(r.status).toBe(401);
    }
    const locked = await client(ts.url).post<{ error: { details: { retryAfterSeconds: number } } }>('/api/auth/login', { login: 'dave', password: 'dave-password-1' });
    expect(locked.status).toBe(429);
    expect(locked.code).toBe('too_many_requests');
    expect(locked.body.error.details.retryAfterSeconds).toBeGreaterThan(50);
    expect(locked.body.error.details.retryAfterSeconds).toBeLessThanOrEqual(60);

    const dave = (await ts.identity.service.findUser('dave'))!;
    const lockouts = await admin.get<{ lockouts: { key: string; kind: string; failures: number; lockedUntil: string }[] }>('/api/admin/lockouts');
    expect(lockouts.status).toBe(200);
    expect(lockouts.body.lockouts).toContainEqual(expect.objectContaining({ key: `account:${dave.id}`, kind: 'account', failures: 5 }));
    const listed = await admin.get<{ users: (UserView & { lockedUntil: string | null })[] }>('/api/admin/users?q=dave');
    expect(listed.body.users[0]!.lockedUntil).not.toBeNull();

    const bob = await signIn(ts.url, 'bob', 'bob-password-1');
    expect((await bob.post(`/api/admin/users/${dave.id}/unlock`)).status).toBe(403);
    expect((await admin.post(`/api/admin/users/${dave.id}/unlock`)).status).toBe(204);
    expect((await client(ts.url).post('/api/auth/login', { login: 'dave', password: 'dave-password-1' })).status).toBe(200);
    expect((await ts.server.platform.audit.query({ action: 'user.unlock' })).length).toBe(1);
  });

  it('counts concurrent failures exactly, and a parallel burst gets no more guesses than the lock allows', async () => {
    const { user } = await createUser(ts, { username: 'gina' });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => client(ts.url).post('/api/auth/login', { login: 'gina', password: `wrong-password-${i}` })));
    // Five guesses are checked; the attempts after them find the account locked, however they race.
    expect(results.map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const lockouts = await admin.get<{ lockouts: { key: string; failures: number }[] }>('/api/admin/lockouts');
    expect(lockouts.body.lockouts.find((l) => l.key === `account:${user.id}`)?.failures).toBe(5);
    expect((await admin.post(`/api/admin/users/${user.id}/unlock`)).status).toBe(204);
  });

  it('refuses state-changing requests without or with a wrong CSRF token, and changes nothing', async () => {
    const bob = await signIn(ts.url, 'bob', 'bob-password-1');
    const noCsrf = client(ts.url, { cookie: bob.cookie });
    const missing = await noCsrf.patch('/api/me', { displayName: 'Hacked' });
    expect(missing.status).toBe(403);
    expect(missing.code).toBe('csrf');
    const wrong = client(ts.url, { cookie: bob.cookie, csrf: 'x'.repeat(43) });
    const r2 = await wrong.post('/api/me/app-passwords', { name: 'evil' });
    expect(r2.status).toBe(403);
    expect(r2.code).toBe('csrf');
    const adminNoCsrf = client(ts.url, { cookie: admin.cookie });
    const r3 = await adminNoCsrf.post('/api/admin/users', { username: 'evil', email: 'evil@example.org', displayName: 'Evil' });
    expect(r3.code).toBe('csrf');
    expect(await ts.identity.service.findUser('evil')).toBeNull();
    const me = await bob.get<UserView>('/api/me');
    expect(me.body.displayName).toBe('bob');
    expect((await bob.get<{ appPasswords: unknown[] }>('/api/me/app-passwords')).body.appPasswords).toHaveLength(0);

    const foreign = await fetch(`${ts.url}/api/me`, {
      method: 'PATCH',
      headers: { cookie: bob.cookie, 'x-csrf-token': bob.csrf, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Hacked' }),
    });
    expect(foreign.status).toBe(403);
    const foreignLogin = await fetch(`${ts.url}/api/auth/login`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bob', password: 'bob-password-1' }),
    });
    expect(foreignLogin.status).toBe(403);
    expect(foreignLogin.headers.getSetCookie()).toEqual([]);
    const sameOrigin = await fetch(`${ts.url}/api/auth/login`, {
      method: 'POST',
      headers: { origin: ts.url, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bob', password: 'bob-password-1' }),
    });
    expect(sameOrigin.status).toBe(200);
    expect((await bob.patch<UserView>('/api/me', { displayName: 'Bob B.' })).body.displayName).toBe('Bob B.');
  });

  it('applies CSRF and Origin checks to the routed path, whatever its spelling', async () => {
    const bob = await signIn(ts.url, 'bob', 'bob-password-1');
    const before = (await bob.get<UserView>('/api/me')).body.displayName;
    // `/%61pi/me` routes to /api/me; a check on the raw URL would let it through without a token.
    for (const path of ['/%61pi/me', '/%61%70%69/me']) {
      const res = await fetch(`${ts.url}${path}`, {
        method: 'PATCH',
        headers: { cookie: bob.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: 'Forged' }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf');
    }
    const form = await fetch(`${ts.url}/%61pi/me/app-passwords`, {
      method: 'POST',
      headers: { cookie: bob.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=forged',
    });
    expect(form.status).toBe(403);
    const foreignLogin = await fetch(`${ts.url}/%61pi/auth/login`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bob', password: 'bob-password-1' }),
    });
    expect(foreignLogin.status).toBe(403);
    expect((await bob.get<UserView>('/api/me')).body.displayName).toBe(before);
    expect((await bob.get<{ appPasswords: unknown[] }>('/api/me/app-passwords')).body.appPasswords).toHaveLength(0);
  });

  it('treats forged, unknown and expired cookies as signed out', async () => {
    expect((await client(ts.url, { cookie: 'tessera_session=forged' }).get('/api/me')).status).toBe(401);
    expect((await client(ts.url, { cookie: `tessera_session=${'A'.repeat(43)}` }).get('/api/session')).status).toBe(401);
    expect((await client(ts.url).get('/api/me')).status).toBe(401);

    const carol = await signIn(ts.url, 'carol', 'carol-password-1');
    const fresh = await carol.get('/api/me');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.getSetCookie()).toEqual([]);
    const db = ts.server.platform.db.withTables<IdentityTables>();
    const carolSession = (await carol.get<{ sessions: { id: string; current: boolean }[] }>('/api/me/sessions')).body.sessions.find((x) => x.current)!;
    // Idle expiry: once last_seen moves, the cookie's lifetime is extended too.
    await db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 120_000).toISOString() }).where('id', '=', carolSession.id).execute();
    const touched = await carol.get('/api/me');
    expect(touched.headers.getSetCookie().some((c) => c.startsWith('tessera_session=') && /Max-Age=\d+/.test(c))).toBe(true);
    const seen = await db.selectFrom('sessions').select('last_seen_at').where('id', '=', carolSession.id).executeTakeFirstOrThrow();
    expect(Date.now() - Date.parse(seen.last_seen_at)).toBeLessThan(10_000);
    const old = new Date(Date.now() - (ts.server.platform.config.sessionTtlHours + 1) * 3600_000).toISOString();
    const carolId = (await ts.identity.service.findUser('carol'))!.id;
    await db.updateTable('sessions').set({ last_seen_at: old }).where('user_id', '=', carolId).execute();
    const expired = await carol.get('/api/me');
    expect(expired.status).toBe(401);
    expect(expired.code).toBe('unauthenticated');
  });

  it('lists and revokes own sessions, signs out everywhere, and lets admins revoke any session', async () => {
    const a = await signIn(ts.url, 'carol', 'carol-password-1');
    const b = await signIn(ts.url, 'carol', 'carol-password-1');
    const list = await a.get<{ sessions: { id: string; current: boolean; ip: string; userAgent: string | null }[] }>('/api/me/sessions');
    expect(list.body.sessions.length).toBeGreaterThanOrEqual(2);
    expect(list.body.sessions.filter((s) => s.current)).toHaveLength(1);
    const other = list.body.sessions.find((s) => !s.current)!;
    expect(other.ip).toBe('127.0.0.1');
    expect((await a.del(`/api/me/sessions/${other.id}`)).status).toBe(204);
    expect((await b.get('/api/me')).status).toBe(401);

    const c = await signIn(ts.url, 'carol', 'carol-password-1');
    const all = await admin.get<{ sessions: { id: string; username: string }[] }>('/api/admin/sessions');
    const carols = all.body.sessions.filter((s) => s.username === 'carol');
    expect(carols.length).toBeGreaterThanOrEqual(2);
    const bob = await signIn(ts.url, 'bob', 'bob-password-1');
    expect((await bob.get('/api/admin/sessions')).status).toBe(403);
    const cSession = (await c.get<SessionAnswer>('/api/session')).body;
    expect(cSession.user.username).toBe('carol');
    const cId = (await c.get<{ sessions: { id: string; current: boolean }[] }>('/api/me/sessions')).body.sessions.find((s) => s.current)!.id;
    expect((await admin.del(`/api/admin/sessions/${cId}`)).status).toBe(204);
    expect((await c.get('/api/me')).status).toBe(401);

    expect((await a.post('/api/auth/logout-everywhere')).status).toBe(204);
    expect((await a.get('/api/me')).status).toBe(401);
    const left = await admin.get<{ sessions: { username: string }[] }>('/api/admin/sessions');
    expect(left.body.sessions.filter((s) => s.username === 'carol')).toHaveLength(0);
  });

  it('disabling a person ends their sessions and refuses sign-in and app passwords; enabling restores', async () => {
    const { user } = await createUser(ts, { username: 'erin' });
    const erin = await signIn(ts.url, 'erin', 'erin-password-1');
    const app = await erin.post<{ password: string }>('/api/me/app-passwords', { name: 'Thunderbird' });
    expect(app.status).toBe(201);
    expect(await ts.identity.service.verifyAppPassword('erin', app.body.password, '10.0.0.1')).not.toBeNull();

    const disabled = await admin.post<UserView>(`/api/admin/users/${user.id}/disable`);
    expect(disabled.body.status).toBe('disabled');
    expect((await erin.get('/api/me')).status).toBe(401);
    const again = await client(ts.url).post('/api/auth/login', { login: 'erin', password: 'erin-password-1' });
    expect(again.status).toBe(401);
    expect(again.code).toBe('account_disabled');
    expect(await ts.identity.service.verifyAppPassword('erin', app.body.password, '10.0.0.1')).toBeNull();

    expect((await admin.post<UserView>(`/api/admin/users/${user.id}/enable`)).body.status).toBe('active');
    expect(await ts.identity.service.verifyAppPassword('erin', app.body.password, '10.0.0.1')).not.toBeNull();
    expect((await client(ts.url).post('/api/auth/login', { login: 'erin', password: 'erin-password-1' })).status).toBe(200);
    const actions = (await ts.server.platform.audit.query({ action: 'user.' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.disable', 'user.enable']));
  });

  it('changes the own password (at least 10 characters) and ends the other sessions', async () => {
    await createUser(ts, { username: 'frank' });
    const one = await signIn(ts.url, 'frank', 'frank-password-1');
    const two = await signIn(ts.url, 'frank', 'frank-password-1');
    expect((await one.post('/api/me/password', { currentPassword: 'wrong-one-xx', newPassword: 'frank-password-2' })).status).toBe(403);
    expect((await one.post('/api/me/password', { currentPassword: 'frank-password-1', newPassword: 'short' })).status).toBe(400);
    expect((await one.post('/api/me/password', { currentPassword: 'frank-password-1', newPassword: 'frank-password-2' })).status).toBe(204);
    expect((await one.get('/api/me')).status).toBe(200);
    expect((await two.get('/api/me')).status).toBe(401);
    expect((await client(ts.url).post('/api/auth/login', { login: 'frank', password: 'frank-password-2' })).status).toBe(200);
  });

  it('counts and audits wrong passwords that confirm an action, so a session is no password oracle', async () => {
    const { user } = await createUser(ts, { username: 'paula' });
    const paula = await signIn(ts.url, 'paula', 'paula-password-1');
    for (let i = 0; i < 5; i++) {
      const r = await paula.post('/api/me/password', { currentPassword: `guess-number-${i}`, newPassword: 'paula-password-2' });
      expect(r.code).toBe('invalid_password');
    }
    const locked = await paula.post('/api/me/password', { currentPassword: 'paula-password-1', newPassword: 'paula-password-2' });
    expect(locked.status).toBe(429);
    expect((await paula.post('/api/me/recovery-codes', { password: 'paula-password-1' })).status).toBe(429);
    expect((await client(ts.url).post('/api/auth/login', { login: 'paula', password: 'paula-password-1' })).status).toBe(429);
    const failures = await ts.server.platform.audit.query({ action: 'auth.password_confirm' });
    expect(failures.filter((e) => e.targetId === user.id && e.outcome === 'failure' && e.ip === '127.0.0.1')).toHaveLength(5);
    expect((await admin.post(`/api/admin/users/${user.id}/unlock`)).status).toBe(204);
    expect((await client(ts.url).post('/api/auth/login', { login: 'paula', password: 'paula-password-1' })).status).toBe(200);
  });
});

describe('address lockout', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.close();
  });

  it('locks an address after 30 failures in 15 minutes, whatever the accounts', async () => {
    for (let i = 0; i < 30; i++) {
      const r = await client(ts.url).post('/api/auth/login', { login: `ghost${i}`, password: 'wrong-password-1' });
      expect(r.status).toBe(401);
    }
    const r = await client(ts.url).post<{ error: { details: { retryAfterSeconds: number } } }>('/api/auth/login', { login: 'ghost-new', password: 'wrong-password-1' });
    expect(r.status).toBe(429);
    expect(r.body.error.details.retryAfterSeconds).toBeGreaterThan(800);

    const admin = await setupAdmin(ts);
    const listed = await admin.get<{ lockouts: { key: string; kind: string }[] }>('/api/admin/lockouts');
    expect(listed.body.lockouts).toContainEqual(expect.objectContaining({ key: 'ip:127.0.0.1', kind: 'ip' }));
    expect((await admin.del(`/api/admin/lockouts/${encodeURIComponent('ip:127.0.0.1')}`)).status).toBe(204);
    expect((await client(ts.url).post('/api/auth/login', { login: 'ghost-new', password: 'wrong-password-1' })).status).toBe(401);
    expect((await admin.del(`/api/admin/lockouts/${encodeURIComponent('ip:10.9.9.9')}`)).status).toBe(404);
  });
});
