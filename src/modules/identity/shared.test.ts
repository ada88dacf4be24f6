import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../platform/crypto/tokens.js';
import { client, createUser, signIn, startPeerServer, startTestServer, type TestServer } from '../../test-support/identity.js';
import type { IdentityTables } from './tables.js';

/** Two Tessera processes on one database, as behind a load balancer. */
describe('two servers sharing one database', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer();
    b = await startPeerServer(a);
    await createUser(a, { username: 'ivy' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('keeps only hashes of the setup token and session tokens', async () => {
    const db = a.server.platform.db.withTables<IdentityTables>();
    const stored = await db.selectFrom('settings').select('value').where('key', '=', 'identity.setupTokenHash').executeTakeFirst();
    // B started while no user existed, so its token replaced A's: only the newest link works.
    expect(stored?.value).toBe(sha256Hex(b.setupToken!));
    const ivy = await signIn(a.url, 'ivy', 'ivy-password-1');
    const token = ivy.cookie.slice('tessera_session='.length);
    const rows = await db.selectFrom('sessions').select(['token_hash', 'csrf_token']).execute();
    expect(rows.map((r) => r.token_hash)).toContain(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('honours a session and a lockout made on the other server', async () => {
    const ivy = await signIn(a.url, 'ivy', 'ivy-password-1');
    const onB = client(b.url, { cookie: ivy.cookie, csrf: ivy.csrf });
    expect((await onB.get('/api/me')).status).toBe(200);
    expect((await onB.post('/api/auth/logout')).status).toBe(204);
    expect((await ivy.get('/api/me')).status).toBe(401);

    for (let i = 0; i < 5; i++) {
      const target = i % 2 === 0 ? a.url : b.url;
      expect((await client(target).post('/api/auth/login', { login: 'ivy', password: `wrong-password-${i}` })).status).toBe(401);
    }
    expect((await client(a.url).post('/api/auth/login', { login: 'ivy', password: 'ivy-password-1' })).status).toBe(429);
    expect((await client(b.url).post('/api/auth/login', { login: 'ivy', password: 'ivy-password-1' })).status).toBe(429);
  });
});
