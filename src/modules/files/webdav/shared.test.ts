import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ACTOR, startTestServer, type TestServer } from '../../../test-support/identity.js';
import type { FilesModule } from '../module.js';
import { davUser, rawRequest as raw, type DavUser, type RawAnswer } from '../testing/fixtures.js';

const hrefs = (body: string) => [...body.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1]!);
const LOCK_BODY = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';

describe('WebDAV: items shared with a person at /dav/shared/<username>/', () => {
  let ts: TestServer;
  let files: FilesModule;
  let alice: DavUser;
  let bob: DavUser;
  let carol: DavUser;

  const dav = (u: DavUser, method: string, path: string, headers: Record<string, string> = {}, body?: string) => raw(ts.url, method, path, { authorization: u.auth, ...headers }, body);
  const nodeAt = async (u: DavUser, path: string) => {
    const space = await files.service.personalSpace(u.user);
    const node = await files.service.resolvePath(space, path.split('/').filter(Boolean));
    if (!node) throw new Error(`nothing at ${path}`);
    return node;
  };
  const share = async (owner: DavUser, path: string, to: string, role: 'view' | 'edit') =>
    (await files.service.createShare({ user: owner.user }, (await nodeAt(owner, path)).id, { grantee: { type: 'user', login: to }, role })).share;
  const ok = async (res: Promise<RawAnswer>, status: number) => {
    const r = await res;
    expect(r.status, r.body).toBe(status);
    return r;
  };

  beforeAll(async () => {
    ts = await startTestServer();
    files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
    alice = await davUser(ts, { username: 'alice' });
    bob = await davUser(ts, { username: 'bob' });
    carol = await davUser(ts, { username: 'carol' });
    for (const dir of ['Project', 'Project/Sub', 'Docs', 'ReadOnly']) await ok(dav(alice, 'MKCOL', `/dav/files/alice/${dir}`), 201);
    await ok(dav(alice, 'PUT', '/dav/files/alice/Project/plan.txt', {}, 'plan v1'), 201);
    await ok(dav(alice, 'PUT', '/dav/files/alice/Docs/Plan.docx', {}, 'alice plan'), 201);
    await ok(dav(alice, 'PUT', '/dav/files/alice/ReadOnly/r.txt', {}, 'read me'), 201);
    await ok(dav(carol, 'PUT', '/dav/files/carol/Plan.docx', {}, 'carol plan'), 201);
    await share(alice, '/Project', 'bob', 'edit');
    await share(alice, '/ReadOnly', 'bob', 'view');
    await share(alice, '/Docs/Plan.docx', 'bob', 'edit');
    // Shared later under the same name: it is the one renamed.
    await new Promise((r) => setTimeout(r, 5));
    await share(carol, '/Plan.docx', 'bob', 'view');
  });
  afterAll(async () => {
    await ts.close();
  });

  it('lists every shared item at the top, names made unique, the same on every request', async () => {
    const one = await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: '1' }), 207);
    expect(hrefs(one.body).sort()).toEqual(['/dav/shared/bob/', '/dav/shared/bob/Plan%20%28carol%29.docx', '/dav/shared/bob/Plan.docx', '/dav/shared/bob/Project/', '/dav/shared/bob/ReadOnly/'].sort());
    expect(one.body).toContain('<D:displayname>Plan (carol).docx</D:displayname>');
    // The owner's quota and usage are not shown to the people they share with.
    const quota = await ok(
      dav(bob, 'PROPFIND', '/dav/shared/bob/Project/', { depth: '0' }, '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/><D:getetag/></D:prop></D:propfind>'),
      207,
    );
    expect(quota.body).toMatch(/<D:quota-used-bytes\/><\/D:prop><D:status>HTTP\/1.1 404/);
    const two = await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: '1' }), 207);
    expect(hrefs(two.body)).toEqual(hrefs(one.body));
    expect(hrefs((await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: '0' }), 207)).body)).toEqual(['/dav/shared/bob/']);
    expect((await dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: 'infinity' })).status).toBe(403);
    // Each name leads to its own item.
    expect((await ok(dav(bob, 'GET', '/dav/shared/bob/Plan.docx'), 200)).body).toBe('alice plan');
    expect((await ok(dav(bob, 'GET', '/dav/shared/bob/Plan%20(carol).docx'), 200)).body).toBe('carol plan');
    const depth0 = await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/Plan%20(carol).docx', { depth: '0' }), 207);
    expect(hrefs(depth0.body)).toEqual(['/dav/shared/bob/Plan%20%28carol%29.docx']);
    expect(depth0.body).toContain('<D:displayname>Plan (carol).docx</D:displayname>');
    // Inside a shared folder: the real tree, under the shared mount's URLs.
    const inside = await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/Project/', { depth: '1' }), 207);
    expect(hrefs(inside.body).sort()).toEqual(['/dav/shared/bob/Project/', '/dav/shared/bob/Project/Sub/', '/dav/shared/bob/Project/plan.txt']);
    const index = await ok(dav(bob, 'GET', '/dav/shared/bob/'), 200);
    expect(index.body).toContain('href="/dav/shared/bob/Project/"');
    expect((await ok(dav(bob, 'OPTIONS', '/dav/shared/bob/'), 200)).headers.dav).toBe('1, 2');
    // alice shares nothing with herself: her shared mount is empty.
    expect(hrefs((await ok(dav(alice, 'PROPFIND', '/dav/shared/alice/', { depth: '1' }), 207)).body)).toEqual(['/dav/shared/alice/']);
  });

  it('works inside an edit share with every method, as the owner sees it', async () => {
    await ok(dav(bob, 'PUT', '/dav/shared/bob/Project/from-bob.txt', {}, 'by bob'), 201);
    expect((await dav(alice, 'GET', '/dav/files/alice/Project/from-bob.txt')).body).toBe('by bob');
    await ok(dav(bob, 'MKCOL', '/dav/shared/bob/Project/BobDir'), 201);
    await ok(dav(bob, 'COPY', '/dav/shared/bob/Project/from-bob.txt', { destination: `${ts.url}/dav/shared/bob/Project/BobDir/copy.txt` }), 201);
    await ok(dav(bob, 'MOVE', '/dav/shared/bob/Project/from-bob.txt', { destination: '/dav/shared/bob/Project/Sub/moved.txt' }), 201);
    expect((await dav(alice, 'GET', '/dav/files/alice/Project/Sub/moved.txt')).body).toBe('by bob');
    const patch = await ok(
      dav(bob, 'PROPPATCH', '/dav/shared/bob/Project/Sub/moved.txt', {}, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:tag>blue</Z:tag></D:prop></D:set></D:propertyupdate>'),
      207,
    );
    expect(hrefs(patch.body)).toEqual(['/dav/shared/bob/Project/Sub/moved.txt']);
    expect((await dav(alice, 'PROPFIND', '/dav/files/alice/Project/Sub/moved.txt', { depth: '0' })).body).toContain('blue');
    await ok(dav(bob, 'DELETE', '/dav/shared/bob/Project/Sub/moved.txt'), 204);
    expect((await dav(alice, 'GET', '/dav/files/alice/Project/Sub/moved.txt')).status).toBe(404);
    // A shared file (its folder is not shared) can be replaced: the owner gets a new version.
    await ok(dav(bob, 'PUT', '/dav/shared/bob/Plan.docx', {}, 'alice plan, edited by bob'), 204);
    expect((await dav(alice, 'GET', '/dav/files/alice/Docs/Plan.docx')).body).toBe('alice plan, edited by bob');
    expect((await dav(bob, 'HEAD', '/dav/shared/bob/Project/plan.txt')).status).toBe(200);
  });

  it('refuses every write inside a view share with 403, and serves reads', async () => {
    expect((await ok(dav(bob, 'GET', '/dav/shared/bob/ReadOnly/r.txt'), 200)).body).toBe('read me');
    await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/ReadOnly/', { depth: '1' }), 207);
    const writes: [string, string, Record<string, string>, string?][] = [
      ['PUT', '/dav/shared/bob/ReadOnly/new.txt', {}, 'x'],
      ['PUT', '/dav/shared/bob/ReadOnly/r.txt', {}, 'x'],
      ['PUT', '/dav/shared/bob/Plan%20(carol).docx', {}, 'x'],
      ['MKCOL', '/dav/shared/bob/ReadOnly/dir', {}],
      ['DELETE', '/dav/shared/bob/ReadOnly/r.txt', {}],
      ['PROPPATCH', '/dav/shared/bob/ReadOnly/r.txt', {}, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>'],
      ['MOVE', '/dav/shared/bob/ReadOnly/r.txt', { destination: '/dav/shared/bob/ReadOnly/r2.txt' }],
      ['COPY', '/dav/shared/bob/ReadOnly/r.txt', { destination: '/dav/shared/bob/ReadOnly/r2.txt' }],
      ['LOCK', '/dav/shared/bob/ReadOnly/r.txt', {}, LOCK_BODY],
      ['LOCK', '/dav/shared/bob/ReadOnly/unmapped.txt', {}, LOCK_BODY],
    ];
    for (const [method, path, headers, body] of writes) expect((await dav(bob, method, path, headers, body)).status, `${method} ${path}`).toBe(403);
    expect((await dav(alice, 'GET', '/dav/files/alice/ReadOnly/r.txt')).body).toBe('read me');
    expect((await dav(alice, 'GET', '/dav/files/alice/ReadOnly/new.txt')).status).toBe(404);
    expect((await dav(carol, 'GET', '/dav/files/carol/Plan.docx')).body).toBe('carol plan');
  });

  it('keeps the top read-only: nothing is created, deleted, renamed or replaced there', async () => {
    const refused: [string, string, Record<string, string>, string?][] = [
      ['PUT', '/dav/shared/bob/new.txt', {}, 'x'],
      ['MKCOL', '/dav/shared/bob/NewDir', {}],
      ['LOCK', '/dav/shared/bob/new.txt', {}, LOCK_BODY],
      ['DELETE', '/dav/shared/bob/', {}],
      ['DELETE', '/dav/shared/bob/Project/', {}],
      ['DELETE', '/dav/shared/bob/Plan.docx', {}],
      ['PROPPATCH', '/dav/shared/bob/', {}, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>'],
      ['LOCK', '/dav/shared/bob/', {}, LOCK_BODY],
      ['MOVE', '/dav/shared/bob/Project/', { destination: '/dav/shared/bob/Renamed/' }],
      ['MOVE', '/dav/shared/bob/Project/', { destination: '/dav/files/bob/Project/' }],
      ['COPY', '/dav/shared/bob/Project/plan.txt', { destination: '/dav/shared/bob/plan.txt' }],
      ['COPY', '/dav/shared/bob/Project/plan.txt', { destination: '/dav/shared/bob/Plan.docx' }],
      ['COPY', '/dav/shared/bob/', { destination: '/dav/files/bob/all/' }],
    ];
    for (const [method, path, headers, body] of refused) expect((await dav(bob, method, path, headers, body)).status, `${method} ${path}`).toBe(403);
    expect((await dav(bob, 'MKCOL', '/dav/shared/bob/')).status).toBe(405);
    expect((await dav(bob, 'GET', '/dav/shared/bob/nothing-here')).status).toBe(404);
    expect((await dav(bob, 'PUT', '/dav/shared/bob/nothing-here/x.txt', {}, 'x')).status).toBe(409);
    expect((await dav(alice, 'GET', '/dav/files/alice/Project/plan.txt')).body).toBe('plan v1');
    expect((await dav(alice, 'GET', '/dav/files/alice/Docs/Plan.docx')).status).toBe(200);
    expect(hrefs((await dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: '1' })).body)).toHaveLength(5);
  });

  it('copies and moves between the shared mount and one\'s own files where the policy allows', async () => {
    await ok(dav(bob, 'COPY', '/dav/shared/bob/ReadOnly/r.txt', { destination: '/dav/files/bob/r-copy.txt' }), 201);
    expect((await dav(bob, 'GET', '/dav/files/bob/r-copy.txt')).body).toBe('read me');
    await ok(dav(bob, 'COPY', '/dav/shared/bob/Project/', { destination: '/dav/files/bob/Project-copy/' }), 201);
    expect((await dav(bob, 'GET', '/dav/files/bob/Project-copy/plan.txt')).body).toBe('plan v1');
    // Moving out of alice's space would take the item away from her: refused to a share holder.
    expect((await dav(bob, 'MOVE', '/dav/shared/bob/Project/plan.txt', { destination: '/dav/files/bob/plan.txt' })).status).toBe(403);
    expect((await dav(alice, 'GET', '/dav/files/alice/Project/plan.txt')).body).toBe('plan v1');
    // Moving his own file into an edit share gives it to the share.
    await ok(dav(bob, 'MOVE', '/dav/files/bob/r-copy.txt', { destination: '/dav/shared/bob/Project/from-bob-space.txt' }), 201);
    expect((await dav(alice, 'GET', '/dav/files/alice/Project/from-bob-space.txt')).body).toBe('read me');
    expect((await dav(bob, 'COPY', '/dav/files/bob/Project-copy/plan.txt', { destination: '/dav/shared/bob/ReadOnly/plan.txt' })).status).toBe(403);
  });

  it('a lock taken through the shared mount protects the item in its owner\'s mount, and the other way round', async () => {
    const taken = await ok(dav(bob, 'LOCK', '/dav/shared/bob/Project/plan.txt', { timeout: 'Second-600' }, LOCK_BODY), 200);
    const token = /<([^>]+)>/.exec(String(taken.headers['lock-token']))![1]!;
    expect(taken.body).toContain('<D:lockroot><D:href>/dav/shared/bob/Project/plan.txt</D:href>');
    expect((await dav(alice, 'PUT', '/dav/files/alice/Project/plan.txt', {}, 'alice overwrites')).status).toBe(423);
    expect((await dav(alice, 'DELETE', '/dav/files/alice/Project/')).status).toBe(423);
    const seen = await ok(dav(alice, 'PROPFIND', '/dav/files/alice/Project/plan.txt', { depth: '0' }), 207);
    expect(seen.body).toContain(token);
    expect(seen.body).toContain('<D:lockroot><D:href>/dav/files/alice/Project/plan.txt</D:href>');
    // The holder writes with the token, through either URL form of the If header.
    await ok(dav(bob, 'PUT', '/dav/shared/bob/Project/plan.txt', { if: `(<${token}>)` }, 'plan v2'), 204);
    await ok(dav(bob, 'PUT', '/dav/shared/bob/Project/plan.txt', { if: `<${ts.url}/dav/shared/bob/Project/plan.txt> (<${token}>)` }, 'plan v3'), 204);
    await ok(dav(bob, 'UNLOCK', '/dav/shared/bob/Project/plan.txt', { 'lock-token': `<${token}>` }), 204);
    await ok(dav(alice, 'PUT', '/dav/files/alice/Project/plan.txt', {}, 'plan v4'), 204);

    // A shared file whose real path differs from its name in the mount: Docs/Plan.docx.
    const fileLock = await ok(dav(bob, 'LOCK', '/dav/shared/bob/Plan.docx', {}, LOCK_BODY), 200);
    const fileToken = /<([^>]+)>/.exec(String(fileLock.headers['lock-token']))![1]!;
    expect((await dav(alice, 'PUT', '/dav/files/alice/Docs/Plan.docx', {}, 'x')).status).toBe(423);
    await ok(dav(bob, 'UNLOCK', '/dav/shared/bob/Plan.docx', { 'lock-token': `<${fileToken}>` }), 204);

    // The owner's depth-infinity lock on the folder stops the share holder, and shows in his mount.
    const folderLock = await ok(dav(alice, 'LOCK', '/dav/files/alice/Project/', {}, LOCK_BODY), 200);
    const folderToken = /<([^>]+)>/.exec(String(folderLock.headers['lock-token']))![1]!;
    expect((await dav(bob, 'PUT', '/dav/shared/bob/Project/plan.txt', {}, 'bob')).status).toBe(423);
    expect((await dav(bob, 'PUT', '/dav/shared/bob/Project/plan.txt', { if: `(<${folderToken}>)` }, 'bob')).status).toBe(423);
    const top = await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: '1' }), 207);
    expect(top.body).toContain('<D:lockroot><D:href>/dav/shared/bob/Project</D:href>');
    expect((await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/Project/plan.txt', { depth: '0' }), 207)).body).toContain(folderToken);
    expect((await dav(bob, 'UNLOCK', '/dav/shared/bob/Project/', { 'lock-token': `<${folderToken}>` })).status).toBe(403);
    await ok(dav(alice, 'UNLOCK', '/dav/files/alice/Project/', { 'lock-token': `<${folderToken}>` }), 204);
    expect((await dav(alice, 'GET', '/dav/files/alice/Project/plan.txt')).body).toBe('plan v4');
  });

  it('drops a revoked share at once; another person\'s shared mount is 403, a disabled account 401', async () => {
    const before = await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: '0' }), 207);
    const readOnly = await nodeAt(alice, '/ReadOnly');
    const [s] = await files.service.listShares(alice.user, readOnly.id);
    await files.service.deleteShare({ user: alice.user }, readOnly.id, s!.share.id);
    const after = await ok(dav(bob, 'PROPFIND', '/dav/shared/bob/', { depth: '1' }), 207);
    expect(hrefs(after.body)).not.toContain('/dav/shared/bob/ReadOnly/');
    expect(/<D:getetag>([^<]+)</.exec(after.body)![1]).not.toBe(/<D:getetag>([^<]+)</.exec(before.body)![1]);
    expect((await dav(bob, 'GET', '/dav/shared/bob/ReadOnly/r.txt')).status).toBe(404);
    expect((await dav(bob, 'PROPFIND', '/dav/shared/bob/ReadOnly/', { depth: '0' })).status).toBe(404);

    // When alice's Plan.docx is no longer shared, carol's takes the plain name.
    const plan = await nodeAt(alice, '/Docs/Plan.docx');
    await files.service.deleteShare({ user: alice.user }, plan.id, (await files.service.listShares(alice.user, plan.id))[0]!.share.id);
    expect((await ok(dav(bob, 'GET', '/dav/shared/bob/Plan.docx'), 200)).body).toBe('carol plan');
    expect((await dav(bob, 'GET', '/dav/shared/bob/Plan%20(carol).docx')).status).toBe(404);

    for (const [who, path] of [
      [carol, '/dav/shared/bob/'],
      [carol, '/dav/shared/bob/Project/plan.txt'],
      [alice, '/dav/shared/bob/Project/'],
      [bob, '/dav/shared/alice/'],
    ] as const) {
      expect((await dav(who, 'PROPFIND', path, { depth: '0' })).status, path).toBe(403);
      expect((await dav(who, 'PUT', `${path.replace(/\/$/, '')}/x.txt`, {}, 'x')).status, path).toBe(403);
    }
    expect((await raw(ts.url, 'PROPFIND', '/dav/shared/bob/', { depth: '0' })).status).toBe(401);

    const erin = await davUser(ts, { username: 'erin' });
    await share(alice, '/Project', 'erin', 'edit');
    await ok(dav(erin, 'GET', '/dav/shared/erin/Project/plan.txt'), 200);
    await ts.identity.service.disableUser(erin.user.id, TEST_ACTOR);
    expect((await dav(erin, 'GET', '/dav/shared/erin/Project/plan.txt')).status).toBe(401);
    expect((await dav(erin, 'PROPFIND', '/dav/shared/erin/', { depth: '1' })).status).toBe(401);
  });
});
