import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ACTOR, startTestServer, type TestServer } from '../../../test-support/identity.js';
import type { FilesModule } from '../module.js';
import type { FilesTables } from '../tables.js';
import { davUser, rawRequest as raw, type DavUser } from '../testing/fixtures.js';

describe('WebDAV', () => {
  let ts: TestServer;
  let alice: DavUser;
  let bob: DavUser;
  let carol: DavUser;

  beforeAll(async () => {
    ts = await startTestServer();
    alice = await davUser(ts, { username: 'alice', quotaBytes: 50_000 });
    bob = await davUser(ts, { username: 'bob' });
    carol = await davUser(ts, { username: 'carol' });
  });
  afterAll(async () => {
    await ts.close();
  });

  const dav = (u: DavUser, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    raw(ts.url, method, path, { authorization: u.auth, ...headers }, body);

  it('asks for Basic credentials and refuses wrong or disabled ones', async () => {
    const none = await raw(ts.url, 'PROPFIND', '/dav/files/alice/', { depth: '0' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="Tessera"/);
    const wrong = await raw(ts.url, 'PROPFIND', '/dav/files/alice/', { depth: '0', authorization: 'Basic ' + Buffer.from('alice:nope').toString('base64') });
    expect(wrong.status).toBe(401);
    const garbage = await raw(ts.url, 'GET', '/dav/files/alice/', { authorization: 'Bearer abc' });
    expect(garbage.status).toBe(401);

    const dora = await davUser(ts, { username: 'dora' });
    expect((await dav(dora, 'PROPFIND', '/dav/files/dora/', { depth: '0' })).status).toBe(207);
    await ts.identity.service.disableUser(dora.user.id, TEST_ACTOR);
    expect((await dav(dora, 'PROPFIND', '/dav/files/dora/', { depth: '0' })).status).toBe(401);
  });

  it("keeps people out of each other's files and out of groups they are not in", async () => {
    expect((await dav(alice, 'PUT', '/dav/files/alice/private.txt', {}, 'alice only')).status).toBe(201);
    for (const [method, headers] of [
      ['GET', {}],
      ['PROPFIND', { depth: '1' }],
      ['PUT', {}],
      ['DELETE', {}],
      ['MKCOL', {}],
      ['PROPPATCH', {}],
      ['LOCK', {}],
      ['COPY', { destination: '/dav/files/bob/stolen.txt' }],
      ['MOVE', { destination: '/dav/files/bob/stolen.txt' }],
    ] as const) {
      const res = await dav(bob, method, '/dav/files/alice/private.txt', headers);
      expect(res.status, method).toBe(403);
    }
    // Nor can bob copy his way into alice's files.
    await dav(bob, 'PUT', '/dav/files/bob/mine.txt', {}, 'bob');
    expect((await dav(bob, 'COPY', '/dav/files/bob/mine.txt', { destination: `${ts.url}/dav/files/alice/planted.txt` })).status).toBe(403);
    expect((await dav(alice, 'GET', '/dav/files/alice/private.txt')).body).toBe('alice only');

    const group = await ts.identity.service.createGroup({ name: 'team', displayName: 'Team' }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: alice.user.id }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: carol.user.id }, TEST_ACTOR);
    expect((await dav(alice, 'PUT', '/dav/spaces/team/plan.txt', {}, 'team plan')).status).toBe(201);
    expect((await dav(carol, 'GET', '/dav/spaces/team/plan.txt')).body).toBe('team plan');
    expect((await dav(bob, 'GET', '/dav/spaces/team/plan.txt')).status).toBe(403);
    expect((await dav(bob, 'PROPFIND', '/dav/spaces/team/', { depth: '1' })).status).toBe(403);
    expect((await dav(bob, 'GET', '/dav/spaces/nosuchgroup/')).status).toBe(404);
    // Copying and moving between one's own spaces work.
    expect((await dav(alice, 'COPY', '/dav/spaces/team/plan.txt', { destination: '/dav/files/alice/plan-copy.txt' })).status).toBe(201);
    expect((await dav(alice, 'MOVE', '/dav/spaces/team/plan.txt', { destination: '/dav/files/alice/plan-moved.txt' })).status).toBe(201);
    expect((await dav(alice, 'GET', '/dav/files/alice/plan-moved.txt')).body).toBe('team plan');
    expect((await dav(carol, 'GET', '/dav/spaces/team/plan.txt')).status).toBe(404);
  });

  it('refuses path traversal, encoded slashes, NUL and too-long names', async () => {
    await dav(bob, 'PUT', '/dav/files/bob/secret.txt', {}, 'bob secret');
    for (const path of [
      '/dav/files/alice/../bob/secret.txt',
      '/dav/files/alice/%2e%2e/bob/secret.txt',
      '/dav/files/alice/%2E%2E/%2E%2E/files/bob/secret.txt',
      '/dav/files/alice/..%2Fbob%2Fsecret.txt',
      '/dav/files/alice/a%2Fb',
      '/dav/files/alice/a%00b',
      '/dav/files/alice/./x',
      '/dav/files/alice/bad%ZZ',
      `/dav/files/alice/${'x'.repeat(256)}`,
    ]) {
      const get = await dav(alice, 'GET', path);
      expect(get.status, path).toBe(400);
      const put = await dav(alice, 'PUT', path, {}, 'x');
      expect(put.status, path).toBe(400);
    }
    await dav(alice, 'PUT', '/dav/files/alice/movable.txt', {}, 'x');
    expect((await dav(alice, 'MOVE', '/dav/files/alice/movable.txt', { destination: '/dav/files/alice/%2e%2e/bob/x.txt' })).status).toBe(400);
    expect((await dav(bob, 'GET', '/dav/files/bob/secret.txt')).body).toBe('bob secret');
    expect((await dav(alice, 'PUT', `/dav/files/alice/${encodeURIComponent('ü'.repeat(127))}`, {}, 'x')).status).toBe(201);
    expect((await dav(alice, 'PUT', `/dav/files/alice/${encodeURIComponent('ü'.repeat(128))}`, {}, 'x')).status).toBe(400);
  });

  it('honours If-Match, refuses Depth infinity, reports quota, refuses uploads past it', async () => {
    const created = await dav(alice, 'PUT', '/dav/files/alice/etag.txt', {}, 'one');
    const etag = created.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect((await dav(alice, 'PUT', '/dav/files/alice/etag.txt', { 'if-match': '"nope"' }, 'two')).status).toBe(412);
    expect((await dav(alice, 'PUT', '/dav/files/alice/etag.txt', { 'if-match': etag }, 'two')).status).toBe(204);
    expect((await dav(alice, 'GET', '/dav/files/alice/etag.txt')).body).toBe('two');
    const range = await dav(alice, 'GET', '/dav/files/alice/etag.txt', { range: 'bytes=1-1' });
    expect([range.status, range.body]).toEqual([206, 'w']);

    expect((await dav(alice, 'PROPFIND', '/dav/files/alice/', { depth: 'infinity' })).status).toBe(403);
    expect((await dav(alice, 'PROPFIND', '/dav/files/alice/')).status).toBe(403);
    // Depth 0 PROPFIND of alice's root with the given <propfind> children.
    const propfindRoot = (inner: string) =>
      dav(alice, 'PROPFIND', '/dav/files/alice/', { depth: '0', 'content-type': 'application/xml' }, `<?xml version="1.0"?><d:propfind xmlns:d="DAV:">${inner}</d:propfind>`);
    const quota = await propfindRoot('<d:prop><d:quota-available-bytes/><d:quota-used-bytes/></d:prop>');
    expect(quota.status).toBe(207);
    const used = Number(/<D:quota-used-bytes>(\d+)</.exec(quota.body)?.[1]);
    const available = Number(/<D:quota-available-bytes>(\d+)</.exec(quota.body)?.[1]);
    expect(used + available).toBe(50_000);
    // A name asked for twice is answered once; allprop leaves quota out unless <include>d.
    const twice = await propfindRoot('<d:prop><d:getetag/><d:quota-used-bytes/><d:getetag/></d:prop>');
    expect(twice.body.match(/<D:getetag>/g)).toHaveLength(1);
    expect(twice.body).toContain(`<D:quota-used-bytes>${used}</D:quota-used-bytes>`);
    expect((await propfindRoot('<d:allprop/>')).body).not.toContain('quota-used-bytes');
    const included = await propfindRoot('<d:allprop/><d:include><d:quota-used-bytes/><d:getetag/></d:include>');
    expect(included.body).toContain(`<D:quota-used-bytes>${used}</D:quota-used-bytes>`);
    expect(included.body.match(/<D:getetag>/g)).toHaveLength(1);

    const tooBig = await dav(alice, 'PUT', '/dav/files/alice/big.bin', {}, Buffer.alloc(available + 1, 7));
    expect(tooBig.status).toBe(507);
    expect((await dav(alice, 'GET', '/dav/files/alice/big.bin')).status).toBe(404);
    // Chunked, without Content-Length: stopped while streaming.
    const chunked = await new Promise<number>((resolve, reject) => {
      const u = new URL(ts.url);
      const req = request({ host: u.hostname, port: u.port, method: 'PUT', path: '/dav/files/alice/big2.bin', headers: { authorization: alice.auth } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(10_000, 1));
      req.end();
    });
    expect(chunked).toBe(507);
    expect((await dav(alice, 'GET', '/dav/files/alice/big2.bin')).status).toBe(404);

    // A quota lowered by an administrator holds on the very next request, though the client's
    // credentials are remembered (the person's view carries the quota).
    expect((await dav(alice, 'PUT', '/dav/files/alice/small.bin', {}, Buffer.alloc(100, 1))).status).toBe(201);
    await ts.identity.service.updateUser(alice.user.id, { quotaBytes: used + 50 }, TEST_ACTOR);
    expect((await dav(alice, 'PUT', '/dav/files/alice/small2.bin', {}, Buffer.alloc(100, 1))).status).toBe(507);
    await ts.identity.service.updateUser(alice.user.id, { quotaBytes: 50_000 }, TEST_ACTOR);
    expect((await dav(alice, 'PUT', '/dav/files/alice/small2.bin', {}, Buffer.alloc(100, 1))).status).toBe(201);
  });

  it('serialises concurrent writers of one name, and serves deep paths', async () => {
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => dav(alice, 'PUT', '/dav/files/alice/race.txt', {}, `writer ${i}`)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 204, 204, 204, 204]);
    const db = ts.server.platform.db.withTables<FilesTables>();
    const rows = await db.selectFrom('files_nodes').select('id').where('name', '=', 'race.txt').where('trash_id', 'is', null).execute();
    expect(rows).toHaveLength(1);
    expect(await db.selectFrom('files_versions').select('id').where('node_id', '=', rows[0]!.id).execute()).toHaveLength(4);
    const folders = await Promise.all([0, 1, 2].map(() => dav(alice, 'MKCOL', '/dav/files/alice/same')));
    expect(folders.map((r) => r.status).sort()).toEqual([201, 405, 405].sort());

    let path = '/dav/files/alice';
    for (let i = 0; i < 8; i++) {
      path += '/' + `folder-${i}-`.padEnd(120, 'x');
      expect((await dav(alice, 'MKCOL', path)).status).toBe(201);
    }
    expect((await dav(alice, 'PUT', `${path}/deep.txt`, {}, 'deep')).status).toBe(201);
    expect((await dav(alice, 'GET', `${path}/deep.txt`)).body).toBe('deep');
    expect((await dav(alice, 'PROPFIND', `${path}/`, { depth: '1' })).status).toBe(207);
  });

  it('leaves nothing half-visible when an upload is interrupted', async () => {
    await dav(alice, 'PUT', '/dav/files/alice/keep.txt', {}, 'old content');
    const db = ts.server.platform.db.withTables<FilesTables>();
    const countNodes = async () => Number((await db.selectFrom('files_nodes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await countNodes();
    for (const name of ['half.bin', 'keep.txt']) {
      await new Promise<void>((resolve) => {
        const u = new URL(ts.url);
        const req = request({ host: u.hostname, port: u.port, method: 'PUT', path: `/dav/files/alice/${name}`, headers: { authorization: alice.auth, 'content-length': '20000' } });
        req.on('error', () => resolve());
        req.write(Buffer.alloc(5000, 2), () => setTimeout(() => req.destroy(), 100));
        req.on('close', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await dav(alice, 'GET', '/dav/files/alice/half.bin')).status).toBe(404);
    expect((await dav(alice, 'GET', '/dav/files/alice/keep.txt')).body).toBe('old content');
    expect(await countNodes()).toBe(before);
    // The failed uploads cleaned up after themselves: no upload is left pending.
    expect(await db.selectFrom('files_pending_blobs').selectAll().execute()).toEqual([]);

    // A process killed between writing the blob and committing leaves a pending mark; the sweeper removes the blob.
    const orphan = `files/${alice.user.id}/orphan-test`;
    await ts.server.platform.blobs.put(orphan, Buffer.from('orphan'));
    await db.insertInto('files_pending_blobs').values({ blob_key: orphan, created_at: new Date(Date.now() - 25 * 3600_000).toISOString() }).execute();
    const files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
    expect(await files.sweepOrphans()).toBe(1);
    expect(await ts.server.platform.blobs.stat(orphan)).toBeNull();
    expect(await db.selectFrom('files_pending_blobs').selectAll().execute()).toEqual([]);
  });
});
