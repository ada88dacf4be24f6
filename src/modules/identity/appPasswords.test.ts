import { authenticator } from 'otplib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser, startTestServer, TEST_ACTOR, type TestServer } from '../../test-support/identity.js';

// Counts Argon2 verifications: the work a refusal costs must not depend on what the login names.
const argon = vi.hoisted(() => ({ verifies: 0 }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...real,
    verify: (...args: Parameters<typeof real.verify>) => {
      argon.verifies++;
      return real.verify(...args);
    },
  };
});

describe('protocol sign-in (app passwords)', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
    await createUser(ts, { username: 'plain' });
    const { user: secured } = await createUser(ts, { username: 'secured' });
    const { secret } = await ts.identity.service.setupTotp(secured.id);
    await ts.identity.service.enableTotp(secured.id, authenticator.generate(secret), TEST_ACTOR);
    const { user: gone } = await createUser(ts, { username: 'gone' });
    await ts.identity.service.disableUser(gone.id, TEST_ACTOR);
  });
  afterAll(async () => {
    await ts.close();
  });
  it('spends the same Argon2 work refusing an unknown, disabled, 2FA or plain account', async () => {
    const svc = ts.identity.service;
    for (const login of ['nobody-here', 'gone', 'secured', 'plain']) {
      argon.verifies = 0;
      expect(await svc.verifyAppPassword(login, 'not-the-password-1', '10.1.0.1')).toBeNull();
      expect({ login, verifies: argon.verifies }).toEqual({ login, verifies: 1 });
    }
    expect((await svc.verifyAppPassword('plain', 'plain-password-1', '10.1.0.2'))?.username).toBe('plain');
    expect(await svc.verifyAppPassword('secured', 'secured-password-1', '10.1.0.2')).toBeNull();
    expect(await svc.verifyAppPassword('gone', 'gone-password-1', '10.1.0.2')).toBeNull();
  });

  it('keeps counting failures between successes only while there are any, and clears them on success', async () => {
    const svc = ts.identity.service;
    const { user } = await createUser(ts, { username: 'webdav-user' });
    const app = await svc.createAppPassword(user.id, 'rclone', TEST_ACTOR);
    const failures = async () => {
      const r = await sql<{ failures: number }>`select failures from login_lockouts where key = ${'account:' + user.id}`.execute(ts.server.platform.db);
      return r.rows[0] ? Number(r.rows[0].failures) : 0;
    };
    expect((await svc.verifyAppPassword('webdav-user', app.password, '10.1.0.3'))?.id).toBe(user.id);
    expect(await failures()).toBe(0);
    expect(await svc.verifyAppPassword('webdav-user', 'wrong-wrong-wrong', '10.1.0.3')).toBeNull();
    expect(await svc.verifyAppPassword('webdav-user', 'wrong-wrong-wrong', '10.1.0.3')).toBeNull();
    expect(await failures()).toBe(2);
    expect((await svc.verifyAppPassword('webdav-user', app.password, '10.1.0.3'))?.id).toBe(user.id);
    expect(await failures()).toBe(0);
  });
});
