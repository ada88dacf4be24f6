import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startServer, type TesseraServer } from '../../server/main.js';
import { testConfig } from '../../test-support/stack.js';
import type { IdentityModule } from '../identity/types.js';
import type { OidcTables } from './store.js';

interface Session {
  cookie: string;
  csrf: string;
}
interface ClientView {
  id: string;
  name: string;
  public: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  skipConsent: boolean;
  createdAt: string;
  updatedAt: string;
}

async function login(app: FastifyInstance, username: string, password: string): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: username, password } });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'tessera_session');
  return { cookie: `tessera_session=${cookie!.value}`, csrf: (res.json() as { csrfToken: string }).csrfToken };
}

describe('admin API for OIDC clients', () => {
  let server: TesseraServer;
  let admin: Session;
  let member: Session;
  const call = (s: Session | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    server.app.inject({ method, url, headers: s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    server = await startServer(await testConfig(), { listen: false });
    const identity = server.modules.find((m) => m.id === 'identity') as IdentityModule;
    const system = { id: null, name: 'test' };
    await identity.service.createUser({ username: 'alice', email: 'alice@example.org', displayName: 'Alice', password: 'alice-password-1', isAdmin: true }, system);
    await identity.service.createUser({ username: 'bob', email: 'bob@example.org', displayName: 'Bob', password: 'bob-password-12' }, system);
    admin = await login(server.app, 'alice', 'alice-password-1');
    member = await login(server.app, 'bob', 'bob-password-12');
  });
  afterAll(() => server?.close());

  it('is for administrators only', async () => {
    expect((await call(null, 'GET', '/api/admin/oidc/clients')).statusCode).toBe(401);
    expect((await call(member, 'GET', '/api/admin/oidc/clients')).statusCode).toBe(403);
    const res = await call(member, 'POST', '/api/admin/oidc/clients', { name: 'Mine', redirectUris: ['https://app.example/cb'] });
    expect(res.statusCode).toBe(403);
    expect((await call(admin, 'GET', '/api/admin/oidc/clients')).json()).toEqual({ clients: [] });
  });

  it('validates registrations', async () => {
    const bad = [
      { name: 'x', redirectUris: [] },
      { name: 'x', redirectUris: ['/relative/cb'] },
      { name: 'x', redirectUris: ['javascript:alert(1)'] },
      { name: 'x', redirectUris: ['https://app.example/cb#frag'] },
      { name: 'x', redirectUris: ['ftp://app.example/cb'] },
      { name: '', redirectUris: ['https://app.example/cb'] },
      { name: 'x', redirectUris: ['https://app.example/cb'], postLogoutRedirectUris: ['nope'] },
      { name: 'x', redirectUris: ['https://app.example/cb'], colour: 'blue' },
      // NUL cannot be stored in PostgreSQL text (a 500 there), and no name needs control characters.
      { name: 'App\u0000', redirectUris: ['https://app.example/cb'] },
      { name: 'App\nSecond line', redirectUris: ['https://app.example/cb'] },
      { name: 'x', redirectUris: ['https://app.example/cb\u0000'] },
    ];
    for (const body of bad) {
      const res = await call(admin, 'POST', '/api/admin/oidc/clients', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect((res.json() as { error: { code: string } }).error.code).toBe('invalid_input');
    }
  });

  it('creates, reads, updates, regenerates and deletes a client, with audit entries', async () => {
    const created = await call(admin, 'POST', '/api/admin/oidc/clients', {
      name: 'Team Wiki',
      redirectUris: ['https://wiki.example.org/oidc/callback', 'http://localhost:3000/cb'],
      postLogoutRedirectUris: ['https://wiki.example.org/'],
    });
    expect(created.statusCode).toBe(201);
    const { client, clientSecret } = created.json() as { client: ClientView; clientSecret: string };
    expect(client).toMatchObject({ name: 'Team Wiki', public: false, skipConsent: false, postLogoutRedirectUris: ['https://wiki.example.org/'] });
    expect(clientSecret.length).toBeGreaterThanOrEqual(40);
    // The secret is shown once: never in reads, never stored in plain.
    const read = await call(admin, 'GET', `/api/admin/oidc/clients/${client.id}`);
    expect(read.json()).toEqual(client);
    expect(read.body).not.toContain(clientSecret);
    const row = await server.platform.db.withTables<OidcTables>().selectFrom('oidc_clients').selectAll().where('id', '=', client.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(clientSecret);

    const patched = await call(admin, 'PATCH', `/api/admin/oidc/clients/${client.id}`, { name: 'Wiki', skipConsent: true, redirectUris: ['https://wiki.example.org/cb2'] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: client.id, name: 'Wiki', skipConsent: true, redirectUris: ['https://wiki.example.org/cb2'], public: false });
    expect((await call(admin, 'PATCH', `/api/admin/oidc/clients/${client.id}`, { public: true })).statusCode).toBe(400);
    expect((await call(admin, 'PATCH', '/api/admin/oidc/clients/nope', { name: 'x' })).statusCode).toBe(404);

    const regenerated = await call(admin, 'POST', `/api/admin/oidc/clients/${client.id}/secret`);
    expect(regenerated.statusCode).toBe(200);
    const fresh = (regenerated.json() as { clientSecret: string }).clientSecret;
    expect(fresh).not.toBe(clientSecret);

    // The token endpoint accepts the new secret and refuses the old one.
    const token = (secret: string) =>
      server.app.inject({
        method: 'POST',
        url: '/oidc/token',
        headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=authorization_code&code=nope&redirect_uri=https%3A%2F%2Fwiki.example.org%2Fcb2',
      });
    expect((await token(clientSecret)).json()).toMatchObject({ error: 'invalid_client' });
    expect((await token(fresh)).json()).toMatchObject({ error: 'invalid_grant' });

    const list = (await call(admin, 'GET', '/api/admin/oidc/clients')).json() as { clients: ClientView[] };
    expect(list.clients.map((c) => c.id)).toEqual([client.id]);

    expect((await call(member, 'DELETE', `/api/admin/oidc/clients/${client.id}`)).statusCode).toBe(403);
    expect((await call(admin, 'DELETE', `/api/admin/oidc/clients/${client.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', `/api/admin/oidc/clients/${client.id}`)).statusCode).toBe(404);
    expect((await token(fresh)).json()).toMatchObject({ error: 'invalid_client' });

    const audit = await server.platform.audit.query({ action: 'oidc.client.' });
    expect(audit.map((e) => e.action).sort()).toEqual(['oidc.client.create', 'oidc.client.delete', 'oidc.client.secret', 'oidc.client.update']);
    expect(audit.every((e) => e.actorName === 'alice' && e.targetId === client.id)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(fresh);
  });

  it('refuses a secret for public clients', async () => {
    const created = await call(admin, 'POST', '/api/admin/oidc/clients', { name: 'SPA', redirectUris: ['https://spa.example.org/cb'], public: true });
    const body = created.json() as { client: ClientView; clientSecret?: string };
    expect(body.clientSecret).toBeUndefined();
    expect((await call(admin, 'POST', `/api/admin/oidc/clients/${body.client.id}/secret`)).statusCode).toBe(409);
  });
});
