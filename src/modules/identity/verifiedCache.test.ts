import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventBus } from '../../platform/bus/createEventBus.js';
import { createLogger } from '../../platform/log/logger.js';
import { STACK } from '../../test-support/stack.js';
import { createUser, setupAdmin, signIn, startPeerServer, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import { FORGET_TOPIC, VerifiedAppPasswords } from './commands/verifiedCache.js';
import { IdentityStore } from './store.js';

/** The statements a verification runs; a remembered one must run none of them. */
const VERIFY_READS = ['userByLogin', 'lockouts', 'appPasswordByHash', 'credentialCounts', 'usersRequiring2fa'] as const;

function countVerifyReads(): { total: () => number; restore: () => void } {
  const spies = VERIFY_READS.map((m) => vi.spyOn(IdentityStore.prototype, m));
  return { total: () => spies.reduce((n, s) => n + s.mock.calls.length, 0), restore: () => spies.forEach((s) => s.mockRestore()) };
}

function propfind(base: string, username: string, secret: string): Promise<number> {
  const url = new URL(base);
  const authorization = 'Basic ' + Buffer.from(`${username}:${secret}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PROPFIND', path: `/dav/files/${username}/`, headers: { depth: '0', authorization } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(cond: () => boolean, ms: number, why: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(why);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the cache of verified app passwords (unit)', () => {
  it('expires entries, keeps a bounded number, and never stores across an invalidation', () => {
    const cache = new VerifiedAppPasswords(1000, 2);
    cache.listening = true;
    const entry = (userId: string, ip = '10.0.0.1') => ({ userId, ip, appPasswordId: 'a', touchedAt: 0, view: { id: userId } as never });
    const k1 = cache.keyOf('u1', 'secret', '10.0.0.1');
    expect(k1).not.toContain('secret');
    expect(cache.keyOf('u1', 'secret', '10.0.0.2')).not.toBe(k1);
    expect(cache.set(k1, entry('u1'), cache.epoch, 0)).toBe(true);
    expect(cache.get(k1, 999)?.userId).toBe('u1');
    expect(cache.get(k1, 1000)).toBeUndefined();

    const epoch = cache.epoch;
    cache.forget({ userId: 'someone-else' });
    expect(cache.set(k1, entry('u1'), epoch)).toBe(false);
    expect(cache.size).toBe(0);

    cache.set('a', entry('u1'), cache.epoch);
    cache.set('b', entry('u2', '10.0.0.9'), cache.epoch);
    cache.get('a');
    cache.set('c', entry('u3'), cache.epoch);
    expect([cache.get('a')?.userId, cache.get('b'), cache.get('c')?.userId]).toEqual(['u1', undefined, 'u3']);
    cache.forget({ ip: '10.0.0.1' });
    expect(cache.size).toBe(0);
    cache.set('d', entry('u4'), cache.epoch);
    cache.forgetFromMessage({ unexpected: 'shape' });
    expect(cache.size).toBe(0);

    cache.listening = false;
    expect(cache.set('e', entry('u5'), cache.epoch)).toBe(false);
  });
});

describe(`verified app passwords on one server (${STACK} stack)`, () => {
  let ts: TestServer;
  let admin: TestClient;
  let reads: ReturnType<typeof countVerifyReads> | undefined;
  beforeAll(async () => {
    ts = await startTestServer();
    admin = await setupAdmin(ts);
  });
  afterAll(async () => {
    await ts.close();
  });
  afterEach(() => {
    reads?.restore();
    reads = undefined;
  });

  it('answers a repeated request with the same credentials without asking the database', async () => {
    const { user } = await createUser(ts, { username: 'rclone' });
    const app = await ts.identity.service.createAppPassword(user.id, 'rclone', TEST_ACTOR);
    reads = countVerifyReads();
    expect(await propfind(ts.url, 'rclone', app.password)).toBe(207);
    expect(reads.total()).toBeGreaterThan(0);
    const first = reads.total();
    for (let i = 0; i < 5; i++) expect(await propfind(ts.url, 'rclone', app.password)).toBe(207);
    expect(reads.total()).toBe(first);
    expect((await ts.identity.service.verifyAppPassword('rclone', app.password, '127.0.0.1'))?.id).toBe(user.id);
    expect(reads.total()).toBe(first);
    // Another address is another entry: an address lockout must never be bypassed.
    expect((await ts.identity.service.verifyAppPassword('rclone', app.password, '10.9.9.9'))?.id).toBe(user.id);
    expect(reads.total()).toBeGreaterThan(first);
  });

  it('refuses an app password revoked through the REST API on the very next request', async () => {
    await createUser(ts, { username: 'davfs' });
    const davfs = await signIn(ts.url, 'davfs', 'davfs-password-1');
    const created = await davfs.post<{ id: string; password: string }>('/api/me/app-passwords', { name: 'davfs2' });
    expect(created.status).toBe(201);
    expect(await propfind(ts.url, 'davfs', created.body.password)).toBe(207);
    expect(await propfind(ts.url, 'davfs', created.body.password)).toBe(207);
    expect((await davfs.del(`/api/me/app-passwords/${created.body.id}`)).status).toBe(204);
    expect(await propfind(ts.url, 'davfs', created.body.password)).toBe(401);
  });

  it('refuses an app password revoked through the service, and a disabled or deleted person, on the very next request', async () => {
    const svc = ts.identity.service;
    const { user } = await createUser(ts, { username: 'finder' });
    const one = await svc.createAppPassword(user.id, 'macOS', TEST_ACTOR);
    const two = await svc.createAppPassword(user.id, 'Windows', TEST_ACTOR);
    for (const app of [one, two]) expect(await propfind(ts.url, 'finder', app.password)).toBe(207);
    await svc.deleteAppPassword(user.id, one.id, TEST_ACTOR);
    expect(await propfind(ts.url, 'finder', one.password)).toBe(401);
    expect(await propfind(ts.url, 'finder', two.password)).toBe(207);

    expect((await admin.post(`/api/admin/users/${user.id}/disable`)).status).toBe(200);
    expect(await propfind(ts.url, 'finder', two.password)).toBe(401);
    expect((await admin.post(`/api/admin/users/${user.id}/enable`)).status).toBe(200);
    expect(await propfind(ts.url, 'finder', two.password)).toBe(207);
    expect((await admin.del(`/api/admin/users/${user.id}`)).status).toBe(204);
    expect(await propfind(ts.url, 'finder', two.password)).toBe(401);
  });

  it('never serves a wrong password from memory: it is counted, and a locked account refuses the remembered one too', async () => {
    const svc = ts.identity.service;
    const { user } = await createUser(ts, { username: 'guessed' });
    const app = await svc.createAppPassword(user.id, 'Thunderbird', TEST_ACTOR);
    const failures = async () => {
      const r = await sql<{ failures: number }>`select failures from login_lockouts where key = ${'account:' + user.id}`.execute(ts.server.platform.db);
      return r.rows[0] ? Number(r.rows[0].failures) : 0;
    };
    expect((await svc.verifyAppPassword('guessed', app.password, '10.2.0.1'))?.id).toBe(user.id);
    expect(await svc.verifyAppPassword('guessed', app.password.slice(0, -1), '10.2.0.1')).toBeNull();
    expect(await svc.verifyAppPassword('guessed', app.password + 'x', '10.2.0.1')).toBeNull();
    expect(await failures()).toBe(2);
    // The failures dropped the remembered success: this one goes to the database and clears them.
    expect((await svc.verifyAppPassword('guessed', app.password, '10.2.0.1'))?.id).toBe(user.id);
    expect(await failures()).toBe(0);
    expect((await svc.verifyAppPassword('guessed', app.password, '10.2.0.1'))?.id).toBe(user.id);
    for (let i = 0; i < 5; i++) expect(await svc.verifyAppPassword('guessed', `wrong-${i}`, '10.2.0.2')).toBeNull();
    expect(await svc.verifyAppPassword('guessed', app.password, '10.2.0.1')).toBeNull();
    await svc.unlockUser(user.id, TEST_ACTOR);
    expect((await svc.verifyAppPassword('guessed', app.password, '10.2.0.1'))?.id).toBe(user.id);
  });

  it('refuses a remembered app password from an address as soon as that address is locked', async () => {
    const svc = ts.identity.service;
    const { user } = await createUser(ts, { username: 'office' });
    const app = await svc.createAppPassword(user.id, 'office PC', TEST_ACTOR);
    expect((await svc.verifyAppPassword('office', app.password, '10.3.0.1'))?.id).toBe(user.id);
    // 30 failures from the address, spread over unknown names so no account locks first.
    for (let i = 0; i < 30; i++) expect(await svc.verifyAppPassword(`nobody-${i}`, 'wrong-password', '10.3.0.1')).toBeNull();
    expect(await svc.verifyAppPassword('office', app.password, '10.3.0.1')).toBeNull();
    expect((await svc.verifyAppPassword('office', app.password, '10.3.0.2'))?.id).toBe(user.id);
  });

  it('follows admin rights, 2FA and group changes at once', async () => {
    const svc = ts.identity.service;
    const { user } = await createUser(ts, { username: 'member' });
    const app = await svc.createAppPassword(user.id, 'client', TEST_ACTOR);
    const view = () => svc.verifyAppPassword('member', app.password, '10.4.0.1');
    expect(await view()).toMatchObject({ isAdmin: false, mfaRequired: false });
    await svc.updateUser(user.id, { isAdmin: true }, TEST_ACTOR);
    expect(await view()).toMatchObject({ isAdmin: true });

    const outer = await svc.createGroup({ name: 'outer', displayName: 'Outer' }, TEST_ACTOR);
    const inner = await svc.createGroup({ name: 'inner', displayName: 'Inner' }, TEST_ACTOR);
    await svc.addGroupMember(outer.id, { type: 'group', id: inner.id }, TEST_ACTOR);
    await svc.addGroupMember(inner.id, { type: 'user', id: user.id }, TEST_ACTOR);
    expect(await view()).toMatchObject({ mfaRequired: false });
    await svc.updateGroup(outer.id, { require2fa: true }, TEST_ACTOR);
    expect(await view()).toMatchObject({ mfaRequired: true });
    expect(await svc.groupIdsOf(user.id)).toEqual([inner.id, outer.id].sort());
    await svc.removeGroupMember(outer.id, { type: 'group', id: inner.id }, TEST_ACTOR);
    expect(await view()).toMatchObject({ mfaRequired: false });
  });

  it('publishes each invalidation on the bus and drops entries on a message from elsewhere', async () => {
    const svc = ts.identity.service;
    const { user } = await createUser(ts, { username: 'bus-user' });
    const app = await svc.createAppPassword(user.id, 'client', TEST_ACTOR);
    const seen: unknown[] = [];
    // Other test files share the server stack's Redis and publish their own invalidations.
    const mine = () => seen.filter((m) => (m as { userId?: string }).userId === user.id);
    const sub = ts.server.platform.bus.subscribe(FORGET_TOPIC, (p) => seen.push(p));
    await sub.ready;
    const spare = await svc.createAppPassword(user.id, 'spare', TEST_ACTOR);
    await svc.deleteAppPassword(user.id, spare.id, TEST_ACTOR);
    await waitFor(() => mine().length > 0, 5000, 'the invalidation never reached the bus');
    expect(mine()).toEqual([{ userId: user.id }]);

    expect((await svc.verifyAppPassword('bus-user', app.password, '10.5.0.1'))?.id).toBe(user.id);
    reads = countVerifyReads();
    expect((await svc.verifyAppPassword('bus-user', app.password, '10.5.0.1'))?.id).toBe(user.id);
    expect(reads.total()).toBe(0);
    // Another process: on the server stack a separate Redis connection, as a second Tessera would use.
    const other = STACK === 'server' ? await createEventBus(ts.server.platform.config.redisUrl, createLogger('silent')) : ts.server.platform.bus;
    try {
      await other.publish(FORGET_TOPIC, { userId: user.id });
      await waitFor(() => mine().length > 1, 5000, 'the message from elsewhere never arrived');
      expect((await svc.verifyAppPassword('bus-user', app.password, '10.5.0.1'))?.id).toBe(user.id);
      expect(reads.total()).toBeGreaterThan(0);
    } finally {
      if (other !== ts.server.platform.bus) await other.close();
      sub();
    }
  });
});

/** Two Tessera servers on one database, as behind a load balancer; each has its own event bus. */
describe(`verified app passwords on two servers (${STACK} stack)`, () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer();
    b = await startPeerServer(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(STACK === 'server' ? 'a revocation on one server reaches the other through Redis' : 'in-memory invalidations stay inside their process', async () => {
    const { user } = await createUser(a, { username: 'roaming' });
    const app = await a.identity.service.createAppPassword(user.id, 'rclone', TEST_ACTOR);
    expect(await propfind(b.url, 'roaming', app.password)).toBe(207);
    const heardOnB: unknown[] = [];
    const sub = b.server.platform.bus.subscribe(FORGET_TOPIC, (p) => heardOnB.push(p));
    await sub.ready;
    try {
      await a.identity.service.deleteAppPassword(user.id, app.id, TEST_ACTOR);
      expect(await propfind(a.url, 'roaming', app.password)).toBe(401);
      if (STACK === 'embedded') {
        // The embedded stack runs one process; its in-memory bus reaches no other (docs/protocols/webdav.md).
        await new Promise((r) => setTimeout(r, 100));
        expect(heardOnB).toEqual([]);
        return;
      }
      // Other test files share this Redis and publish their own invalidations: look for this one.
      await waitFor(() => heardOnB.some((m) => (m as { userId?: string }).userId === user.id), 5000, 'server B never heard of the revocation');
      expect(heardOnB).toContainEqual({ userId: user.id });
      expect(await propfind(b.url, 'roaming', app.password)).toBe(401);
    } finally {
      sub();
    }
  });
});

const PEER = fileURLToPath(new URL('../../platform/bus/testing/peerProcess.ts', import.meta.url));

/** A second OS process (the bus harness of src/platform/bus/crossProcess.test.ts) sends the invalidation. */
describe(`verified app passwords and another process (${STACK} stack)`, () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.close();
  });

  it(STACK === 'server' ? 'an invalidation published by another process drops the entry here' : 'the embedded stack hears no other process (the TTL bounds it)', async () => {
    const svc = ts.identity.service;
    const { user } = await createUser(ts, { username: 'peer-user' });
    const app = await svc.createAppPassword(user.id, 'client', TEST_ACTOR);
    expect((await svc.verifyAppPassword('peer-user', app.password, '10.6.0.1'))?.id).toBe(user.id);
    const heard: unknown[] = [];
    const sub = ts.server.platform.bus.subscribe(FORGET_TOPIC, (p) => heard.push(p));
    await sub.ready;
    let reads: ReturnType<typeof countVerifyReads> | undefined;

    const cfg = ts.server.platform.config;
    const b = cfg.blobs;
    const settings = {
      dataDir: cfg.dataDir,
      databaseUrl: cfg.database.kind === 'sqlite' ? `sqlite:${cfg.database.path}` : cfg.database.url,
      blobs: b.kind === 'file' ? `file:${b.path}` : `s3://${b.bucket}/${b.prefix}?endpoint=${encodeURIComponent(b.endpoint ?? '')}&region=${b.region}&forcePathStyle=${b.forcePathStyle}`,
      ...(cfg.redisUrl ? { redisUrl: cfg.redisUrl } : {}),
      ...(b.kind === 's3' ? { s3AccessKeyId: b.accessKeyId ?? '', s3SecretAccessKey: b.secretAccessKey ?? '' } : {}),
      secret: cfg.secret ?? '',
      logLevel: 'warn',
      runJobs: false,
    };
    const peer = spawn(process.execPath, ['--import', 'tsx', PEER], {
      env: {
        ...process.env,
        TESSERA_PEER_CONFIG: JSON.stringify(settings),
        TESSERA_PEER_TOPIC: `verified-${user.id}`,
        TESSERA_PEER_NO_JOB: '1',
        TESSERA_PEER_PUBLISH: JSON.stringify({ topic: FORGET_TOPIC, payload: { userId: user.id } }),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    peer.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    peer.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(() => stdout.includes('ready'), 30_000, `peer did not start: ${stderr}`);
      const counted = countVerifyReads();
      reads = counted;
      if (STACK === 'embedded') {
        await new Promise((r) => setTimeout(r, 100));
        expect(heard).toEqual([]);
        expect((await svc.verifyAppPassword('peer-user', app.password, '10.6.0.1'))?.id).toBe(user.id);
        expect(counted.total()).toBe(0);
        return;
      }
      // Other test files share this Redis and publish their own invalidations: look for the peer's.
      const fromPeer = () => heard.some((m) => (m as { userId?: string }).userId === user.id);
      await waitFor(fromPeer, 5000, 'the peer’s invalidation never arrived');
      expect(heard).toContainEqual({ userId: user.id });
      expect((await svc.verifyAppPassword('peer-user', app.password, '10.6.0.1'))?.id).toBe(user.id);
      expect(counted.total()).toBeGreaterThan(0);
    } finally {
      sub();
      reads?.restore();
      reads = undefined;
      const exited = new Promise((r) => peer.once('exit', r));
      peer.stdin!.end();
      await exited;
    }
  }, 60_000);
});
