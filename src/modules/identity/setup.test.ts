import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, setupAdmin, startTestServer, type TestServer } from '../../test-support/identity.js';
import type { UserView } from './types.js';

describe('first-run setup', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.close();
  });

  it('logs the setup link once, at warn level', () => {
    const lines = ts.logs.filter((l) => typeof l.setupUrl === 'string');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(40);
    expect(String(lines[0]!.setupUrl)).toBe(`${ts.server.platform.config.publicUrl}/setup?token=${ts.setupToken}`);
    expect(String(lines[0]!.msg)).toMatch(/Open this link to create the first administrator/);
  });

  it('reports that setup is needed, refuses a wrong token, then creates the admin once', async () => {
    const anon = client(ts.url);
    expect((await anon.get<{ needed: boolean }>('/api/setup')).body).toEqual({ needed: true });

    const body = { username: 'root', email: 'Root@Example.org', displayName: 'Root', password: 'root-password-1' };
    const wrong = await anon.post('/api/setup', { ...body, token: 'not-the-token' });
    expect(wrong.status).toBe(403);
    expect(wrong.code).toBe('invalid_setup_token');
    expect(await ts.identity.service.countUsers()).toBe(0);

    const weak = await anon.post('/api/setup', { ...body, token: ts.setupToken, password: 'short' });
    expect(weak.status).toBe(400);
    expect(await ts.identity.service.countUsers()).toBe(0);

    const admin = await setupAdmin(ts, { username: 'root' });
    const me = await admin.get<UserView>('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'root', isAdmin: true, status: 'active' });

    const again = await anon.post('/api/setup', { ...body, username: 'root2', email: 'r2@example.org', token: ts.setupToken });
    expect(again.status).toBe(409);
    expect((await anon.get<{ needed: boolean }>('/api/setup')).body).toEqual({ needed: false });
    expect(await ts.identity.service.countUsers()).toBe(1);

    const audit = await ts.server.platform.audit.query({ action: 'setup.complete' });
    expect(audit).toHaveLength(1);
  });
});
