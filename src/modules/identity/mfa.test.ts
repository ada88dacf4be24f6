import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, createUser, setupAdmin, signIn, startTestServer, type TestClient, type TestServer } from '../../test-support/identity.js';
import { SoftAuthenticator } from './testing/softAuthenticator.js';
import type { UserView } from './types.js';

const codeAt = (secret: string, offsetSteps = 0) => authenticator.clone({ epoch: Date.now() + offsetSteps * 30_000 }).generate(secret);

describe('second factors', () => {
  let ts: TestServer;
  let admin: TestClient;
  beforeAll(async () => {
    ts = await startTestServer();
    admin = await setupAdmin(ts);
  });
  afterAll(async () => {
    await ts.close();
  });

  it('enrols TOTP, then requires a fresh code at sign-in, refusing reuse, and accepts each recovery code once', async () => {
    await createUser(ts, { username: 'alice' });
    const alice = await signIn(ts.url, 'alice', 'alice-password-1');
    const setup = await alice.post<{ secret: string; otpauthUrl: string; qrSvg: string }>('/api/me/totp/setup');
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    expect(setup.body.qrSvg).toMatch(/^<svg/);
    const secret = setup.body.secret;
    const wrongCode = await alice.post('/api/me/totp/enable', { code: '000000' === codeAt(secret) ? '111111' : '000000' });
    expect(wrongCode.status).toBe(400);
    expect(wrongCode.code).toBe('invalid_code');
    expect((await alice.get<UserView>('/api/me')).body.totpEnabled).toBe(false);
    const enabled = await alice.post<{ recoveryCodes: string[] }>('/api/me/totp/enable', { code: codeAt(secret) });
    expect(enabled.status).toBe(200);
    const recoveryCodes = enabled.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await alice.get<UserView>('/api/me')).body.totpEnabled).toBe(true);

    const second = await signIn(ts.url, 'alice', 'alice-password-1');
    expect(second.login.status).toBe('mfa_required');
    expect(second.login.mfaMethods).toEqual(['totp', 'recovery']);
    expect((await second.get('/api/me')).status).toBe(401);
    expect((await second.get<{ mfaPending: boolean }>('/api/session')).body.mfaPending).toBe(true);
    // The code that enabled TOTP belongs to a step already used.
    const reused = await second.post('/api/auth/mfa/totp', { code: codeAt(secret) });
    expect(reused.status).toBe(401);
    expect(reused.code).toBe('invalid_code');
    const next = codeAt(secret, 1);
    const ok = await second.post<{ status: string; user: UserView }>('/api/auth/mfa/totp', { code: next });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('ok');
    expect((await second.get('/api/me')).status).toBe(200);

    const third = await signIn(ts.url, 'alice', 'alice-password-1');
    expect((await third.post('/api/auth/mfa/totp', { code: next })).status).toBe(401);
    const rec = await third.post<{ status: string; remainingRecoveryCodes: number }>('/api/auth/mfa/recovery', { code: recoveryCodes[0]!.toUpperCase() });
    expect(rec.status).toBe(200);
    expect(rec.body.remainingRecoveryCodes).toBe(9);
    expect((await third.get('/api/me')).status).toBe(200);

    const fourth = await signIn(ts.url, 'alice', 'alice-password-1');
    expect((await fourth.post('/api/auth/mfa/recovery', { code: recoveryCodes[0] })).status).toBe(401);
    expect((await fourth.get('/api/me')).status).toBe(401);

    const audit = await ts.server.platform.audit.query({ action: 'auth.mfa' });
    expect(audit.some((e) => e.outcome === 'success' && e.details.method === 'recovery')).toBe(true);
    expect(audit.some((e) => e.outcome === 'failure' && e.details.method === 'totp')).toBe(true);
    expect((await ts.server.platform.audit.query({ action: 'mfa.totp.enable' })).length).toBe(1);

    // Protocols refuse the account password once 2FA is on; app passwords work and can be revoked.
    expect(await ts.identity.service.verifyAppPassword('alice', 'alice-password-1', '10.0.0.9')).toBeNull();
    const app = await second.post<{ id: string; name: string; password: string; createdAt: string }>('/api/me/app-passwords', { name: 'Phone mail' });
    expect(app.status).toBe(201);
    expect(app.body.password.length).toBeGreaterThanOrEqual(40);
    expect((await ts.identity.service.verifyAppPassword('alice', app.body.password, '10.0.0.9'))?.username).toBe('alice');
    const listed = await second.get<{ appPasswords: { id: string; name: string; lastUsedAt: string | null }[] }>('/api/me/app-passwords');
    expect(listed.body.appPasswords).toEqual([expect.objectContaining({ id: app.body.id, name: 'Phone mail' })]);
    expect(listed.body.appPasswords[0]!.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(app.body.password);
    expect((await second.del(`/api/me/app-passwords/${app.body.id}`)).status).toBe(204);
    expect(await ts.identity.service.verifyAppPassword('alice', app.body.password, '10.0.0.9')).toBeNull();
    const actions = (await ts.server.platform.audit.query({ action: 'app' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['app_password.create', 'app_password.delete']));

    // Regenerated recovery codes replace the old ones; removing TOTP needs the password.
    const regen = await second.post<{ recoveryCodes: string[] }>('/api/me/recovery-codes', { password: 'alice-password-1' });
    expect(regen.body.recoveryCodes).toHaveLength(10);
    expect((await second.del('/api/me/totp', { password: 'wrong-password' })).status).toBe(403);
    expect((await second.del('/api/me/totp', { password: 'alice-password-1' })).status).toBe(204);
    const fifth = await signIn(ts.url, 'alice', 'alice-password-1');
    expect(fifth.login.status).toBe('ok');
  });

  it('a password alone (second factor pending) cannot end the person\'s other sessions', async () => {
    await createUser(ts, { username: 'vera' });
    const vera = await signIn(ts.url, 'vera', 'vera-password-1');
    const { secret } = (await vera.post<{ secret: string }>('/api/me/totp/setup')).body;
    expect((await vera.post('/api/me/totp/enable', { code: codeAt(secret) })).status).toBe(200);
    const pending = await signIn(ts.url, 'vera', 'vera-password-1');
    expect(pending.login.status).toBe('mfa_required');
    const r = await pending.post('/api/auth/logout-everywhere');
    expect(r.status).toBe(401);
    expect(r.code).toBe('mfa_required');
    expect((await vera.get('/api/me')).status).toBe(200);
    // Plain sign-out of the pending session itself stays possible.
    expect((await pending.post('/api/auth/logout')).status).toBe(204);
  });

  it('a parallel burst of second-factor guesses gets no more tries than the lock allows', async () => {
    const { user } = await createUser(ts, { username: 'wes' });
    const wes = await signIn(ts.url, 'wes', 'wes-password-1');
    const { secret } = (await wes.post<{ secret: string }>('/api/me/totp/setup')).body;
    expect((await wes.post('/api/me/totp/enable', { code: codeAt(secret) })).status).toBe(200);
    const pending = await signIn(ts.url, 'wes', 'wes-password-1');
    const valid = new Set([-1, 0, 1, 2].map((o) => codeAt(secret, o)));
    const guesses: string[] = [];
    for (let n = 0; guesses.length < 8; n++) {
      const code = String(100000 + n * 7919).slice(0, 6);
      if (!valid.has(code)) guesses.push(code);
    }
    const results = await Promise.all(guesses.map((code) => pending.post('/api/auth/mfa/totp', { code })));
    expect(results.map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect((await admin.post(`/api/admin/users/${user.id}/unlock`)).status).toBe(204);
  });

  it('registers a security key and signs in with it; a foreign origin or replayed answer is refused', async () => {
    await createUser(ts, { username: 'bob' });
    const bob = await signIn(ts.url, 'bob', 'bob-password-1');
    const key = new SoftAuthenticator(new URL(ts.server.platform.config.publicUrl).origin);
    const options = await bob.post<{ challenge: string; rp: { id: string; name: string }; user: { name: string } }>('/api/me/webauthn/register/options');
    expect(options.status).toBe(200);
    expect(options.body.rp.id).toBe(new URL(ts.server.platform.config.publicUrl).hostname);
    expect(options.body.user.name).toBe('bob');
    const registered = await bob.post<{ id: string; name: string; createdAt: string }>('/api/me/webauthn/register/verify', { name: 'My key', response: key.register(options.body) });
    expect(registered.status).toBe(200);
    expect(registered.body.name).toBe('My key');
    const creds = await bob.get<{ credentials: { id: string; name: string; lastUsedAt: string | null }[] }>('/api/me/webauthn');
    expect(creds.body.credentials).toHaveLength(1);
    expect((await bob.get<UserView>('/api/me')).body.webauthnCount).toBe(1);

    const next = await signIn(ts.url, 'bob', 'bob-password-1');
    expect(next.login.status).toBe('mfa_required');
    expect(next.login.mfaMethods).toEqual(['webauthn']);
    const opts = await next.post<{ challenge: string; rpId: string; allowCredentials: { id: string }[] }>('/api/auth/mfa/webauthn/options');
    expect(opts.body.allowCredentials.map((c) => c.id)).toEqual([key.id]);
    const phish = await next.post('/api/auth/mfa/webauthn/verify', { response: key.assert(opts.body, { origin: 'https://evil.example' }) });
    expect(phish.status).toBe(401);
    expect(phish.code).toBe('invalid_code');
    expect((await next.get('/api/me')).status).toBe(401);

    const opts2 = await next.post<{ challenge: string; rpId: string }>('/api/auth/mfa/webauthn/options');
    const answer = key.assert(opts2.body);
    const ok = await next.post<{ status: string; user: UserView }>('/api/auth/mfa/webauthn/verify', { response: answer });
    expect(ok.status).toBe(200);
    expect(ok.body.user.username).toBe('bob');
    expect((await next.get('/api/me')).status).toBe(200);

    const again = await signIn(ts.url, 'bob', 'bob-password-1');
    await again.post('/api/auth/mfa/webauthn/options');
    const replay = await again.post('/api/auth/mfa/webauthn/verify', { response: answer });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect((await again.get('/api/me')).status).toBe(401);

    const used = await next.get<{ credentials: { id: string; lastUsedAt: string | null }[] }>('/api/me/webauthn');
    expect(used.body.credentials[0]!.lastUsedAt).not.toBeNull();
    expect((await next.del(`/api/me/webauthn/${registered.body.id}`)).status).toBe(204);
    expect((await signIn(ts.url, 'bob', 'bob-password-1')).login.status).toBe('ok');
    const actions = (await ts.server.platform.audit.query({ action: 'mfa.webauthn' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['mfa.webauthn.add', 'mfa.webauthn.remove']));
  });

  it('forces enrolment for members of a nested group that requires 2FA, and detects cycles', async () => {
    const { user: carl } = await createUser(ts, { username: 'carl' });
    const staff = await admin.post<{ id: string; require2fa: boolean }>('/api/admin/groups', { name: 'staff', displayName: 'Staff', require2fa: true });
    expect(staff.status).toBe(201);
    expect(staff.body.require2fa).toBe(true);
    const team = await admin.post<{ id: string }>('/api/admin/groups', { name: 'team', displayName: 'Team' });
    expect((await admin.post(`/api/admin/groups/${staff.body.id}/members`, { type: 'group', id: team.body.id })).status).toBe(204);
    expect((await admin.post(`/api/admin/groups/${team.body.id}/members`, { type: 'user', id: carl.id })).status).toBe(204);
    const cycle = await admin.post(`/api/admin/groups/${team.body.id}/members`, { type: 'group', id: staff.body.id });
    expect(cycle.status).toBe(409);
    expect(cycle.code).toBe('cycle');
    expect((await admin.post(`/api/admin/groups/${staff.body.id}/members`, { type: 'group', id: staff.body.id })).code).toBe('cycle');
    expect((await ts.identity.service.groupIdsOf(carl.id)).sort()).toEqual([staff.body.id, team.body.id].sort());

    const c = await signIn(ts.url, 'carl', 'carl-password-1');
    expect(c.login.status).toBe('enrollment_required');
    expect((await c.get<{ enrollmentRequired: boolean }>('/api/session')).body.enrollmentRequired).toBe(true);
    const me = await c.get<UserView>('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.mfaRequired).toBe(true);
    const blocked = await c.get('/api/me/app-passwords');
    expect(blocked.status).toBe(403);
    expect(blocked.code).toBe('enrollment_required');
    expect((await c.get('/api/portal/tiles')).status).toBe(403);

    const setup = await c.post<{ secret: string }>('/api/me/totp/setup');
    expect((await c.post('/api/me/totp/enable', { code: codeAt(setup.body.secret) })).status).toBe(200);
    expect((await c.get('/api/me/app-passwords')).status).toBe(200);
    const removal = await c.del('/api/me/totp', { password: 'carl-password-1' });
    expect(removal.status).toBe(409);

    expect((await admin.del(`/api/admin/groups/${staff.body.id}/members/group/${team.body.id}`)).status).toBe(204);
    expect((await ts.identity.service.getUser(carl.id))!.mfaRequired).toBe(false);
    const detail = await admin.get<{ members: { type: string; id: string; name: string }[] }>(`/api/admin/groups/${team.body.id}`);
    expect(detail.body.members).toEqual([{ type: 'user', id: carl.id, name: 'carl' }]);
  });

  it('refuses the account password for protocols only when the person has 2FA', async () => {
    await createUser(ts, { username: 'dora' });
    expect((await ts.identity.service.verifyAppPassword('dora', 'dora-password-1', '10.0.0.7'))?.username).toBe('dora');
    expect(await ts.identity.service.verifyAppPassword('dora', 'wrong-password-1', '10.0.0.7')).toBeNull();
    const anon = client(ts.url);
    expect((await anon.post('/api/auth/mfa/totp', { code: '123456' })).status).toBe(401);
  });
});
