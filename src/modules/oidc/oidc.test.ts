import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startServer, type TesseraServer } from '../../server/main.js';
import { testConfig } from '../../test-support/stack.js';
import type { IdentityModule, UserView } from '../identity/types.js';
import type { IdentityTables } from '../identity/tables.js';
import type { OidcTables } from './store.js';
import { sha256Hex } from '../../platform/crypto/tokens.js';
import { TestBrowser } from './testing/testBrowser.js';

const APP = 'http://app.example.test';
const REDIRECT = `${APP}/callback`;
const AFTER_LOGOUT = `${APP}/signed-out`;
const SYSTEM = { id: null, name: 'test' };

interface ClientAnswer {
  client: { id: string; name: string; public: boolean; redirectUris: string[]; postLogoutRedirectUris: string[]; skipConsent: boolean };
  clientSecret?: string;
}
interface InteractionAnswer {
  uid: string;
  prompt: 'login' | 'consent';
  client: { id: string; name: string };
  scopes: string[];
  signedIn: boolean;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

describe('OpenID Connect provider with a real relying party (openid-client)', () => {
  let server: TesseraServer;
  let base: string;
  let issuer: URL;
  let identity: IdentityModule;
  let bob: UserView;
  let admin: TestBrowser;
  let confidential: ClientAnswer;
  let rp: client.Configuration;

  async function signIn(login: string, password: string): Promise<TestBrowser> {
    const browser = new TestBrowser(base);
    const res = await browser.json<{ status: string; csrfToken: string }>('/api/auth/login', 'POST', { login, password });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    browser.csrf = res.body.csrfToken;
    return browser;
  }

  async function register(body: Record<string, unknown>): Promise<ClientAnswer> {
    const res = await admin.json<ClientAnswer>('/api/admin/oidc/clients', 'POST', body);
    expect(res.status).toBe(201);
    return res.body;
  }

  function discover(c: ClientAnswer): Promise<client.Configuration> {
    const auth = c.clientSecret ? client.ClientSecretBasic(c.clientSecret) : client.None();
    return client.discovery(issuer, c.client.id, undefined, auth, { execute: [client.allowInsecureRequests] });
  }

  /** Starts an authorization request in `browser`; answers the uid of the interaction page it lands on. */
  async function authorize(browser: TestBrowser, url: URL): Promise<string> {
    const { res } = await browser.follow(url.href);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!, base);
    expect(location.pathname).toMatch(/^\/interaction\/[\w-]+$/);
    return location.pathname.split('/').pop()!;
  }

  /** Posts an interaction action and follows the provider until it sends the browser elsewhere. */
  async function act(browser: TestBrowser, uid: string, action: 'login' | 'confirm' | 'abort'): Promise<URL> {
    const res = await browser.json<{ redirectTo: string }>(`/api/oidc/interaction/${uid}/${action}`, 'POST', {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { res: last } = await browser.follow(res.body.redirectTo);
    expect([302, 303]).toContain(last.status);
    return new URL(last.headers.get('location')!, base);
  }

  /** Runs the browser side of the code flow (login, consent when asked) up to the app's redirect_uri. */
  async function callbackFor(browser: TestBrowser, config: client.Configuration, scope: string, extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    let uid = await authorize(browser, url);
    let next = await act(browser, uid, 'login');
    if (next.pathname.startsWith('/interaction/')) {
      uid = next.pathname.split('/').pop()!;
      const details = await browser.json<InteractionAnswer>(`/api/oidc/interaction/${uid}`);
      expect(details.body.prompt).toBe('consent');
      next = await act(browser, uid, 'confirm');
    }
    expect(next.href.startsWith(REDIRECT)).toBe(true);
    return { callback: next, verifier, state, nonce };
  }

  async function codeFlow(browser: TestBrowser, config: client.Configuration, scope: string, extra: Record<string, string> = {}) {
    const { callback, verifier, state, nonce } = await callbackFor(browser, config, scope, extra);
    return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startServer(await testConfig({ port, publicUrl: base }));
    issuer = new URL(`${base}/oidc`);
    identity = server.modules.find((m) => m.id === 'identity') as IdentityModule;
    await identity.service.createUser({ username: 'alice', email: 'alice@example.org', displayName: 'Alice Admin', password: 'alice-password-1', isAdmin: true }, SYSTEM);
    bob = (
      await identity.service.createUser(
        { username: 'bob', email: 'bob@example.org', displayName: 'Bob Builder', password: 'bob-password-12', language: 'fr', timeZone: 'Europe/Paris' },
        SYSTEM,
      )
    ).user;
    const staff = await identity.service.createGroup({ name: 'staff', displayName: 'Staff' }, SYSTEM);
    const everyone = await identity.service.createGroup({ name: 'everyone', displayName: 'Everyone' }, SYSTEM);
    await identity.service.addGroupMember(staff.id, { type: 'user', id: bob.id }, SYSTEM);
    await identity.service.addGroupMember(everyone.id, { type: 'group', id: staff.id }, SYSTEM);
    admin = await signIn('alice', 'alice-password-1');
    confidential = await register({ name: 'Team Wiki', redirectUris: [REDIRECT], postLogoutRedirectUris: [AFTER_LOGOUT] });
    rp = await discover(confidential);
  });
  afterAll(() => server?.close());

  it('publishes discovery and a JWKS with the shared RS256 key', async () => {
    const meta = rp.serverMetadata();
    expect(meta.issuer).toBe(issuer.href);
    expect(meta.authorization_endpoint).toBe(`${base}/oidc/auth`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups', 'offline_access']));
    expect(meta.end_session_endpoint).toBeTruthy();
    expect(meta.introspection_endpoint).toBeTruthy();
    expect(meta.revocation_endpoint).toBeTruthy();
    const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]!.d).toBeUndefined();
  });

  it('completes the code flow with PKCE, state and nonce; ID token, userinfo, refresh, introspection, revocation', async () => {
    const browser = await signIn('bob', 'bob-password-12');
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(rp, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email groups offline_access',
      prompt: 'consent',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });

    const uid = await authorize(browser, url);
    // The interaction cookie is scoped to the interaction API, not to the whole site.
    expect(browser.cookiePaths('tessera_oidc_interaction')).toEqual([`/api/oidc/interaction/${uid}`]);
    const login = await browser.json<InteractionAnswer>(`/api/oidc/interaction/${uid}`);
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ uid, prompt: 'login', client: { id: confidential.client.id, name: 'Team Wiki' }, scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'], signedIn: true });

    const afterLogin = await act(browser, uid, 'login');
    expect(afterLogin.pathname).toMatch(/^\/interaction\//);
    const consentUid = afterLogin.pathname.split('/').pop()!;
    const consent = await browser.json<InteractionAnswer>(`/api/oidc/interaction/${consentUid}`);
    expect(consent.body.prompt).toBe('consent');
    const callback = await act(browser, consentUid, 'confirm');
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(state);

    const tokens = await client.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      iss: issuer.href,
      aud: confidential.client.id,
      sub: bob.id,
      nonce,
      name: 'Bob Builder',
      preferred_username: 'bob',
      email: 'bob@example.org',
      email_verified: true,
      locale: 'fr',
      zoneinfo: 'Europe/Paris',
    });
    expect(claims.groups).toEqual(['everyone', 'staff']);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'groups', 'offline_access', 'openid', 'profile']);

    const info = await client.fetchUserInfo(rp, tokens.access_token, bob.id);
    expect(info).toMatchObject({ sub: bob.id, preferred_username: 'bob', email: 'bob@example.org', groups: ['everyone', 'staff'] });

    // Refresh rotates: the new refresh token works, the old one is spent.
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(bob.id);

    const active = await client.tokenIntrospection(rp, refreshed.access_token);
    expect(active).toMatchObject({ active: true, sub: bob.id, client_id: confidential.client.id });
    await client.tokenRevocation(rp, refreshed.access_token);
    expect((await client.tokenIntrospection(rp, refreshed.access_token)).active).toBe(false);
    await expect(client.fetchUserInfo(rp, refreshed.access_token, bob.id)).rejects.toThrow();

    // Replaying the spent refresh token is refused and, as reuse detection, ends the whole grant.
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(rp, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const audit = await server.platform.audit.query({ action: 'oidc.' });
    const actions = audit.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['oidc.client.create', 'oidc.login', 'oidc.consent']));
    const consentEntry = audit.find((e) => e.action === 'oidc.consent')!;
    expect(consentEntry).toMatchObject({ actorId: bob.id, targetId: confidential.client.id, outcome: 'success' });
    expect(consentEntry.details.scopes).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups', 'offline_access']));
  });

  it('ends the session at the app\'s request and returns to its post-logout URI', async () => {
    const browser = await signIn('bob', 'bob-password-12');
    const tokens = await codeFlow(browser, rp, 'openid');
    const url = client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye' });
    const page = await browser.fetch(url.href);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script/i);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /action="([^"]+)"/.exec(html)?.[1];
    expect(xsrf && action).toBeTruthy();
    const confirmed = await browser.fetch(action!, {
      method: 'POST',
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(confirmed.status).toBe(303);
    const back = new URL(confirmed.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(AFTER_LOGOUT);
    expect(back.searchParams.get('state')).toBe('bye');
    // The provider's session is gone: the next request asks for login again.
    const again = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge('x'.repeat(43)), code_challenge_method: 'S256' });
    const uid = await authorize(browser, again);
    expect((await browser.json<InteractionAnswer>(`/api/oidc/interaction/${uid}`)).body.prompt).toBe('login');
  });

  it('rejects an unregistered redirect_uri without redirecting to it', async () => {
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: 'http://evil.example.test/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const body = await res.text();
    expect(body).toContain('redirect_uri');
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('requires PKCE (S256) from public clients', async () => {
    const pub = await register({ name: 'Single Page App', redirectUris: [REDIRECT], public: true });
    expect(pub.clientSecret).toBeUndefined();
    expect(pub.client.public).toBe(true);
    const config = await discover(pub);
    const missing = await fetch(client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid' }), { redirect: 'manual' });
    expect(missing.status).toBe(303);
    const location = new URL(missing.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
    const plain = await fetch(client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }), { redirect: 'manual' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');

    // With PKCE the public client completes the flow without a secret.
    const browser = await signIn('bob', 'bob-password-12');
    const tokens = await codeFlow(browser, config, 'openid profile');
    expect(tokens.claims()?.sub).toBe(bob.id);
    // A browser app may call the token endpoint from the origin it redirects to, and only from there.
    const tokenCall = (origin: string) =>
      fetch(config.serverMetadata().token_endpoint!, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'nope', client_id: pub.client.id, redirect_uri: REDIRECT, code_verifier: 'v'.repeat(43) }),
      });
    const preflight = await fetch(config.serverMetadata().token_endpoint!, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    const fromApp = await tokenCall(APP);
    expect(fromApp.headers.get('access-control-allow-origin')).toBe(APP);
    expect(((await fromApp.json()) as { error: string }).error).toBe('invalid_grant');
    const fromElsewhere = await tokenCall('http://evil.example.test');
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await fromElsewhere.json()) as { error: string }).error).toBe('invalid_request');

    // Introspection answers only confidential apps, and only about their own tokens.
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(rp, tokens.access_token)).toEqual({ active: false });
  });

  it('answers 401 at userinfo for forged and expired access tokens', async () => {
    const userinfo = rp.serverMetadata().userinfo_endpoint!;
    const forged = await fetch(userinfo, { headers: { authorization: 'Bearer forged-token-forged-token-forged-token-0123' } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/invalid_token/);

    const browser = await signIn('bob', 'bob-password-12');
    const tokens = await codeFlow(browser, rp, 'openid');
    expect((await fetch(userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
    // Age the token in the database the way time would: the provider's own expiry check must refuse it.
    const db = server.platform.db.withTables<OidcTables>();
    const storedId = sha256Hex(tokens.access_token); // only the hash of a token is stored
    const row = await db.selectFrom('oidc_payloads').selectAll().where('kind', '=', 'AccessToken').where('id', '=', storedId).executeTakeFirstOrThrow();
    const payload = JSON.parse(row.payload) as { exp: number; iat: number };
    await db
      .updateTable('oidc_payloads')
      .set({ payload: JSON.stringify({ ...payload, iat: payload.iat - 7200, exp: payload.exp - 7200 }) })
      .where('kind', '=', 'AccessToken')
      .where('id', '=', storedId)
      .execute();
    const expired = await fetch(userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(expired.status).toBe(401);
  });

  it('reports the real sign-in time as auth_time, also when the app asks for a fresh sign-in', async () => {
    const browser = await signIn('bob', 'bob-password-12');
    const signedInAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    await server.platform.db.withTables<IdentityTables>().updateTable('sessions').set({ created_at: signedInAt }).where('user_id', '=', bob.id).execute();
    const tokens = await codeFlow(browser, rp, 'openid', { prompt: 'login' });
    const authTime = Number(tokens.claims()?.auth_time);
    expect(Math.abs(authTime - Date.parse(signedInAt) / 1000)).toBeLessThan(5);
  });

  it('sends access_denied to the app when the person declines', async () => {
    const browser = await signIn('bob', 'bob-password-12');
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT, scope: 'openid email', prompt: 'consent', state, code_challenge: await client.calculatePKCECodeChallenge('v'.repeat(43)), code_challenge_method: 'S256' });
    const uid = await authorize(browser, url);
    const consent = await act(browser, uid, 'login');
    const callback = await act(browser, consent.pathname.split('/').pop()!, 'abort');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    await expect(client.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: 'v'.repeat(43), expectedState: state })).rejects.toMatchObject({ error: 'access_denied' });
    const denied = await server.platform.audit.query({ action: 'oidc.consent' });
    expect(denied.some((e) => e.outcome === 'failure' && e.actorId === bob.id)).toBe(true);
  });

  it('skips the consent page for apps marked skipConsent', async () => {
    const trusted = await register({ name: 'Intranet', redirectUris: [REDIRECT], skipConsent: true });
    const config = await discover(trusted);
    const browser = await signIn('bob', 'bob-password-12');
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const uid = await authorize(browser, url);
    const callback = await act(browser, uid, 'login');
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    expect(tokens.claims()).toMatchObject({ sub: bob.id, email: 'bob@example.org' });
  });

  it('asks a signed-out browser to sign in, and binds the interaction to the browser that started it', async () => {
    const stranger = new TestBrowser(base);
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge('w'.repeat(43)), code_challenge_method: 'S256' });
    const uid = await authorize(stranger, url);
    const details = await stranger.json<InteractionAnswer>(`/api/oidc/interaction/${uid}`);
    expect(details.body).toMatchObject({ prompt: 'login', signedIn: false });
    expect((await stranger.json(`/api/oidc/interaction/${uid}/login`, 'POST', {})).status).toBe(401);

    // Someone else, signed in, who was sent the link cannot complete this browser's request.
    const other = await signIn('bob', 'bob-password-12');
    const res = await other.json<{ error: { code: string } }>(`/api/oidc/interaction/${uid}/login`, 'POST', {});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('interaction_not_found');
  });

  it('stops a disabled person: no login, no refresh, no userinfo, inactive at introspection', async () => {
    const { user: carol } = await identity.service.createUser({ username: 'carol', email: 'carol@example.org', displayName: 'Carol', password: 'carol-password-1' }, SYSTEM);
    const browser = await signIn('carol', 'carol-password-1');
    const tokens = await codeFlow(browser, rp, 'openid offline_access', { prompt: 'consent' });
    expect(tokens.refresh_token).toBeTruthy();

    const pending = await signIn('carol', 'carol-password-1');
    const uid = await authorize(pending, client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge('y'.repeat(43)), code_challenge_method: 'S256' }));
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
    await identity.service.disableUser(carol.id, SYSTEM);
    // Resource servers that introspect must not keep honouring the tokens of a disabled person.
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
    expect((await client.tokenIntrospection(rp, tokens.refresh_token!)).active).toBe(false);
    expect((await pending.json(`/api/oidc/interaction/${uid}/login`, 'POST', {})).status).toBe(401);
    expect((await pending.json<InteractionAnswer>(`/api/oidc/interaction/${uid}`)).body.signedIn).toBe(false);
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(rp, tokens.access_token, carol.id)).rejects.toThrow();
  });

  it('shares codes, tokens and the signing key with a second server on the same database', async () => {
    const config = server.platform.config;
    const shared = config.database.kind === 'sqlite' ? { dataDir: config.dataDir, databaseUrl: `sqlite:${config.database.path}` } : { databaseUrl: config.database.url };
    const port = await freePort();
    const second = await startServer(await testConfig({ port, publicUrl: base, runJobs: false }, shared));
    try {
      const otherBase = `http://127.0.0.1:${port}`;
      const browser = await signIn('bob', 'bob-password-12');
      const { callback, verifier } = await callbackFor(browser, rp, 'openid profile');
      // Redeemed at the other server: the code, the client and the key all come from the database.
      const res = await fetch(`${otherBase}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${confidential.client.id}:${confidential.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier }),
      });
      expect(res.status).toBe(200);
      const tokens = (await res.json()) as { id_token: string; access_token: string };
      const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(`${otherBase}/oidc/jwks`)), { issuer: issuer.href, audience: confidential.client.id });
      expect(payload.sub).toBe(bob.id);
      const info = await client.fetchUserInfo(rp, tokens.access_token, bob.id);
      expect(info.preferred_username).toBe('bob');
    } finally {
      await second.close();
    }
  });

  it('switching person in the browser ends the provider session of the previous one', async () => {
    const browser = await signIn('bob', 'bob-password-12');
    expect((await codeFlow(browser, rp, 'openid')).claims()?.sub).toBe(bob.id);
    const again = await browser.json<{ csrfToken: string; user: { id: string } }>('/api/auth/login', 'POST', { login: 'alice', password: 'alice-password-1' });
    expect(again.status).toBe(200);
    browser.csrf = again.body.csrfToken;

    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    // The provider still has Bob's session, but Tessera now has Alice: sign-in is asked again.
    const uid = await authorize(browser, url);
    expect((await browser.json<InteractionAnswer>(`/api/oidc/interaction/${uid}`)).body.prompt).toBe('login');
    const login = await browser.json<{ redirectTo: string }>(`/api/oidc/interaction/${uid}/login`, 'POST', {});
    const { res } = await browser.follow(login.body.redirectTo);
    // The provider logs Bob out with a self-submitting form; its script is allowed by hash only.
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&#x2F;|&#47;/g, '/').replace(/&#x3A;|&#58;/g, ':');
    const fields = new URLSearchParams([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, m[2]!] as [string, string]));
    const posted = await browser.fetch(action, { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(posted.status).toBe(303);
    let next = new URL((await browser.follow(posted.headers.get('location')!)).res.headers.get('location')!, base);
    if (next.pathname.startsWith('/interaction/')) next = await act(browser, next.pathname.split('/').pop()!, 'confirm');
    const tokens = await client.authorizationCodeGrant(rp, next, { pkceCodeVerifier: verifier });
    expect(tokens.claims()?.sub).toBe(again.body.user.id);
  });

  it('answers login_required to prompt=none without a session, and keeps consent to the person who signed in', async () => {
    const stranger = new TestBrowser(base);
    const silent = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', state: 's', code_challenge: await client.calculatePKCECodeChallenge('z'.repeat(43)), code_challenge_method: 'S256' });
    const res = await stranger.fetch(silent.href);
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('login_required');

    const browser = await signIn('bob', 'bob-password-12');
    const url = client.buildAuthorizationUrl(rp, { redirect_uri: REDIRECT, scope: 'openid email', prompt: 'consent', code_challenge: await client.calculatePKCECodeChallenge('z'.repeat(43)), code_challenge_method: 'S256' });
    const consent = await act(browser, await authorize(browser, url), 'login');
    const switched = await browser.json<{ csrfToken: string }>('/api/auth/login', 'POST', { login: 'alice', password: 'alice-password-1' });
    browser.csrf = switched.body.csrfToken;
    const res2 = await browser.json<{ error: { code: string } }>(`/api/oidc/interaction/${consent.pathname.split('/').pop()!}/confirm`, 'POST', {});
    expect(res2.status).toBe(403);
    expect(res2.body.error.code).toBe('interaction_mismatch');
  });
});
