import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../../test-support/identity.js';
import { signWopiToken } from '../commands/wopiAccess.js';
import type { FilesTables } from '../tables.js';
import { davUser, type DavUser } from '../testing/fixtures.js';

interface Node {
  id: string;
  name: string;
  etag: string;
}
interface Issued {
  accessToken: string;
  accessTokenTtl: number;
  wopiSrc: string;
  canWrite: boolean;
  actionUrl?: string;
}
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

/** The calls a WOPI client (Collabora Online, the WOPI validator) makes, over real HTTP. */
describe('WOPI host', () => {
  let ts: TestServer;
  let alice: DavUser;
  let bob: DavUser;
  let aliceRest: TestClient;
  let bobRest: TestClient;
  let rootId: string;

  const upload = async (c: TestClient, folderId: string, name: string, body: string | Buffer) => {
    const res = await fetch(`${ts.url}/api/files/nodes/${folderId}/upload?name=${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/octet-stream' },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Node & { error?: { code: string } } };
  };
  const issue = async (c: TestClient, id: string): Promise<Issued> => {
    const res = await c.post<Issued>(`/api/files/nodes/${id}/wopi`);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** A WOPI request: the path of WOPISrc on this server, the token as a query parameter. */
  const wopi = async (token: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> => {
    const res = await fetch(`${ts.url}${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : new Uint8Array(init.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const file = (id: string) => `/wopi/files/${id}`;
  const override = (token: string, id: string, op: string, headers: Record<string, string> = {}, body?: string) =>
    wopi(token, file(id), { method: 'POST', headers: { 'x-wopi-override': op, ...headers }, body });
  const putFile = (token: string, id: string, body: string, lock?: string) =>
    wopi(token, `${file(id)}/contents`, { method: 'POST', headers: { 'x-wopi-override': 'PUT', ...(lock === undefined ? {} : { 'x-wopi-lock': lock }) }, body });
  const dav = (u: DavUser, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<number> => {
    const url = new URL(ts.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method, path, headers: { authorization: u.auth, ...headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const expireWopiLocks = async () => {
    const db = ts.server.platform.db.withTables<FilesTables>();
    await db.updateTable('files_wopi_locks').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
  };

  beforeAll(async () => {
    ts = await startTestServer();
    alice = await davUser(ts, { username: 'alice', quotaBytes: 20_000 });
    bob = await davUser(ts, { username: 'bob' });
    aliceRest = await signIn(ts.url, 'alice', alice.password);
    bobRest = await signIn(ts.url, 'bob', bob.password);
    const spaces = await aliceRest.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces');
    rootId = spaces.body.spaces.find((s) => s.kind === 'personal')!.rootId;
  });
  afterAll(async () => {
    await ts.close();
  });

  it('issues access tokens to signed-in people with CSRF, for files only', async () => {
    const doc = (await upload(aliceRest, rootId, 'token.docx', 'hello')).body;
    const noCsrf = await fetch(`${ts.url}/api/files/nodes/${doc.id}/wopi`, { method: 'POST', headers: { cookie: aliceRest.cookie } });
    expect(noCsrf.status).toBe(403);
    const anonymous = await fetch(`${ts.url}/api/files/nodes/${doc.id}/wopi`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const before = Date.now();
    const issued = await issue(aliceRest, doc.id);
    expect(issued.canWrite).toBe(true);
    expect(issued.wopiSrc).toMatch(new RegExp(`/wopi/files/${doc.id}$`));
    // accessTokenTtl is the expiry in ms since the epoch (about 10 hours ahead), as the spec wants.
    expect(issued.accessTokenTtl).toBeGreaterThan(before + 9 * 3600_000);
    expect(issued.accessTokenTtl).toBeLessThan(before + 11 * 3600_000);
    expect(issued.actionUrl).toBeUndefined();
    const folder = await aliceRest.post<{ id: string }>(`/api/files/nodes/${rootId}/folders`, { name: 'not-a-file' });
    expect((await aliceRest.post(`/api/files/nodes/${folder.body.id}/wopi`)).status).toBe(409);
    expect((await bobRest.post(`/api/files/nodes/${doc.id}/wopi`)).status).toBe(404);
    expect((await aliceRest.get<{ enabled: boolean }>('/api/files/editor')).body).toEqual({ enabled: false, extensions: [] });
  });

  it('answers CheckFileInfo and GetFile, and refuses bad, foreign and expired tokens', async () => {
    const doc = (await upload(aliceRest, rootId, 'info.odt', 'some content')).body;
    const { accessToken } = await issue(aliceRest, doc.id);
    const info = await wopi(accessToken, file(doc.id));
    expect(info.status).toBe(200);
    expect(info.json()).toMatchObject({
      BaseFileName: 'info.odt',
      Size: 12,
      UserId: alice.user.id,
      OwnerId: alice.user.id,
      UserFriendlyName: 'alice',
      Version: doc.etag.replace(/"/g, ''),
      UserCanWrite: true,
      ReadOnly: false,
      SupportsLocks: true,
      SupportsGetLock: true,
      SupportsUpdate: true,
      SupportsExtendedLockLength: true,
      SupportsRename: true,
      UserCanRename: true,
      UserCanNotWriteRelative: false,
    });
    expect(new Date(String(info.json().LastModifiedTime)).toISOString()).toBe(info.json().LastModifiedTime);

    const content = await wopi(accessToken, `${file(doc.id)}/contents`);
    expect(content.status).toBe(200);
    expect(content.text).toBe('some content');
    expect(content.headers.get('x-wopi-itemversion')).toBe(info.json().Version);
    expect((await wopi(accessToken, `${file(doc.id)}/contents`, { headers: { 'x-wopi-maxexpectedsize': '5' } })).status).toBe(412);
    expect((await wopi(accessToken, `${file(doc.id)}/contents`, { headers: { 'x-wopi-maxexpectedsize': '12' } })).status).toBe(200);

    // Forged, for another file, expired, or with an unexpected query parameter.
    expect((await wopi(accessToken.slice(0, -2) + 'xx', file(doc.id))).status).toBe(401);
    expect((await wopi('nonsense', file(doc.id))).status).toBe(401);
    const other = (await upload(aliceRest, rootId, 'other.odt', 'x')).body;
    expect((await wopi(accessToken, file(other.id))).status).toBe(401);
    const secret = ts.server.platform.secret;
    const expired = signWopiToken(secret, { u: alice.user.id, f: doc.id, w: true, e: Date.now() - 1000 });
    expect((await wopi(expired, file(doc.id))).status).toBe(401);
    const wrongKey = signWopiToken('another-secret-another-secret-another-secret', { u: alice.user.id, f: doc.id, w: true, e: Date.now() + 60_000 });
    expect((await wopi(wrongKey, file(doc.id))).status).toBe(401);
    expect((await wopi(accessToken, `${file(doc.id)}?debug=1`)).status).toBe(400);
    expect((await fetch(`${ts.url}${file(doc.id)}`)).status).toBe(400);

    // A file gone to the trash is 404, as is an unknown id.
    const gone = (await upload(aliceRest, rootId, 'gone.odt', 'x')).body;
    const goneToken = (await issue(aliceRest, gone.id)).accessToken;
    expect((await aliceRest.del(`/api/files/nodes/${gone.id}`)).status).toBe(204);
    expect((await wopi(goneToken, file(gone.id))).status).toBe(404);
    const unknown = signWopiToken(secret, { u: alice.user.id, f: 'no-such-id', w: true, e: Date.now() + 60_000 });
    expect((await wopi(unknown, file('no-such-id'))).status).toBe(404);
  });

  it('runs the lock flows: lock, get, refresh, relock, mismatch, unlock', async () => {
    const doc = (await upload(aliceRest, rootId, 'locks.docx', 'v1')).body;
    const { accessToken: t } = await issue(aliceRest, doc.id);

    let res = await override(t, doc.id, 'GET_LOCK');
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([200, '']);
    res = await override(t, doc.id, 'REFRESH_LOCK', { 'x-wopi-lock': 'L1' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, '']);
    res = await override(t, doc.id, 'UNLOCK', { 'x-wopi-lock': 'L1' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, '']);

    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'L1' })).status).toBe(200);
    expect((await override(t, doc.id, 'GET_LOCK')).headers.get('x-wopi-lock')).toBe('L1');
    // The same lock again is a refresh; another one is a conflict naming the current lock.
    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'L1' })).status).toBe(200);
    res = await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'L2' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, 'L1']);
    expect(res.headers.get('x-wopi-lockfailurereason')).toBeTruthy();
    res = await override(t, doc.id, 'REFRESH_LOCK', { 'x-wopi-lock': 'L2' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, 'L1']);
    expect((await override(t, doc.id, 'REFRESH_LOCK', { 'x-wopi-lock': 'L1' })).status).toBe(200);
    res = await override(t, doc.id, 'UNLOCK', { 'x-wopi-lock': 'L2' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, 'L1']);

    // UnlockAndRelock: LOCK with X-WOPI-OldLock.
    res = await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'L3', 'x-wopi-oldlock': 'wrong' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, 'L1']);
    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'L3', 'x-wopi-oldlock': 'L1' })).status).toBe(200);
    expect((await override(t, doc.id, 'GET_LOCK')).headers.get('x-wopi-lock')).toBe('L3');

    expect((await override(t, doc.id, 'UNLOCK', { 'x-wopi-lock': 'L3' })).status).toBe(200);
    expect((await override(t, doc.id, 'GET_LOCK')).headers.get('x-wopi-lock')).toBe('');
    res = await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'L4', 'x-wopi-oldlock': 'L3' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, '']);

    // Extended lock length: 1024 characters fit, 1025 do not; no lock at all is a bad request.
    const long = 'x'.repeat(1024);
    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': long })).status).toBe(200);
    expect((await override(t, doc.id, 'GET_LOCK')).headers.get('x-wopi-lock')).toBe(long);
    expect((await override(t, doc.id, 'UNLOCK', { 'x-wopi-lock': long })).status).toBe(200);
    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'y'.repeat(1025) })).status).toBe(400);
    expect((await override(t, doc.id, 'LOCK')).status).toBe(400);

    expect((await override(t, doc.id, 'DELETE_EVERYTHING')).status).toBe(501);
    expect((await override(t, doc.id, '')).status).toBe(501);
    expect((await wopi(t, `${file(doc.id)}/contents`, { method: 'POST', headers: { 'x-wopi-override': 'PUT_RELATIVE' }, body: 'x' })).status).toBe(501);
  });

  it('PutFile follows the lock rules and changes the version', async () => {
    const doc = (await upload(aliceRest, rootId, 'put.docx', 'original')).body;
    const { accessToken: t } = await issue(aliceRest, doc.id);
    const v1 = String((await wopi(t, file(doc.id))).json().Version);

    // Unlocked and not empty: 409 with an empty X-WOPI-Lock.
    let res = await putFile(t, doc.id, 'sneaky');
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, '']);
    res = await putFile(t, doc.id, 'sneaky', 'L1');
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, '']);

    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'L1' })).status).toBe(200);
    res = await putFile(t, doc.id, 'wrong lock', 'L2');
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, 'L1']);
    res = await putFile(t, doc.id, 'saved by the editor', 'L1');
    expect(res.status).toBe(200);
    const v2 = res.headers.get('x-wopi-itemversion');
    expect(v2).toBeTruthy();
    expect(v2).not.toBe(v1);
    const info = (await wopi(t, file(doc.id))).json();
    expect(info.Version).toBe(v2);
    expect(info.Size).toBe('saved by the editor'.length);
    expect((await wopi(t, `${file(doc.id)}/contents`)).text).toBe('saved by the editor');
    // The previous content is kept as a version, as for every other writer.
    const versions = await aliceRest.get<{ versions: unknown[] }>(`/api/files/nodes/${doc.id}/versions`);
    expect(versions.body.versions).toHaveLength(1);

    // Unlocked and empty: the editor may fill it (a new document created elsewhere).
    const empty = (await upload(aliceRest, rootId, 'new.docx', '')).body;
    const { accessToken: te } = await issue(aliceRest, empty.id);
    expect((await putFile(te, empty.id, 'first content')).status).toBe(200);
    expect((await wopi(te, `${file(empty.id)}/contents`)).text).toBe('first content');

    // Beyond the owner's quota: 413, and nothing changes.
    res = await putFile(t, doc.id, 'z'.repeat(30_000), 'L1');
    expect(res.status).toBe(413);
    expect((await wopi(t, `${file(doc.id)}/contents`)).text).toBe('saved by the editor');
  });

  it('keeps REST and WebDAV writers off a file an editor holds, until the lock lapses', async () => {
    const folder = (await aliceRest.post<{ id: string }>(`/api/files/nodes/${rootId}/folders`, { name: 'held' })).body;
    const doc = (await upload(aliceRest, folder.id, 'held.docx', 'v1')).body;
    const { accessToken: t } = await issue(aliceRest, doc.id);
    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'EDITOR' })).status).toBe(200);

    const refused = await upload(aliceRest, folder.id, 'held.docx', 'overwrite');
    expect([refused.status, refused.body.error?.code]).toEqual([423, 'locked_in_editor']);
    expect((await aliceRest.patch(`/api/files/nodes/${doc.id}`, { name: 'renamed.docx' })).status).toBe(423);
    expect((await aliceRest.del(`/api/files/nodes/${doc.id}`)).status).toBe(423);
    expect((await aliceRest.del(`/api/files/nodes/${folder.id}`)).status).toBe(423);
    expect((await aliceRest.patch(`/api/files/nodes/${folder.id}`, { name: 'held-moved' })).status).toBe(200);
    const copy = (await upload(aliceRest, rootId, 'copy-source.docx', 'other')).body;
    expect((await aliceRest.post(`/api/files/nodes/${copy.id}/copy`, { parentId: folder.id, name: 'held.docx', onConflict: 'overwrite' })).status).toBe(423);

    expect(await dav(alice, 'PUT', '/dav/files/alice/held-moved/held.docx', {}, 'dav overwrite')).toBe(423);
    expect(await dav(alice, 'DELETE', '/dav/files/alice/held-moved/held.docx')).toBe(423);
    expect(await dav(alice, 'MOVE', '/dav/files/alice/held-moved/held.docx', { destination: '/dav/files/alice/away.docx' })).toBe(423);
    const lockBody = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    expect(await dav(alice, 'LOCK', '/dav/files/alice/held-moved/held.docx', { 'content-type': 'application/xml' }, lockBody)).toBe(423);
    expect((await wopi(t, `${file(doc.id)}/contents`)).text).toBe('v1');

    // The editor itself still saves; then its lock lapses (30 minutes, simulated) and others may write.
    expect((await putFile(t, doc.id, 'v2', 'EDITOR')).status).toBe(200);
    await expireWopiLocks();
    expect((await override(t, doc.id, 'GET_LOCK')).headers.get('x-wopi-lock')).toBe('');
    const lapsed = await putFile(t, doc.id, 'late save', 'EDITOR');
    expect([lapsed.status, lapsed.headers.get('x-wopi-lock')]).toEqual([409, '']);
    expect((await upload(aliceRest, folder.id, 'held.docx', 'v3')).status).toBe(200);
    expect(await dav(alice, 'PUT', '/dav/files/alice/held-moved/held.docx', {}, 'v4')).toBe(204);

    // A WebDAV lock keeps the editor out in turn: 409, locked by another interface.
    expect(await dav(alice, 'LOCK', '/dav/files/alice/held-moved/held.docx', { 'content-type': 'application/xml' }, lockBody)).toBe(200);
    const res = await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'EDITOR' });
    expect([res.status, res.headers.get('x-wopi-lock'), res.headers.get('x-wopi-lockedbyotherinterface')]).toEqual([409, '', 'true']);
  });

  it('PutRelativeFile: suggested and specific targets, overwrite, conflicts and its own token', async () => {
    const folder = (await aliceRest.post<{ id: string }>(`/api/files/nodes/${rootId}/folders`, { name: 'saveas' })).body;
    const doc = (await upload(aliceRest, folder.id, 'Report.docx', 'the report')).body;
    const { accessToken: t } = await issue(aliceRest, doc.id);
    const putRelative = (headers: Record<string, string>, body = 'converted') => override(t, doc.id, 'PUT_RELATIVE', headers, body);

    // An extension alone keeps the base name.
    let res = await putRelative({ 'x-wopi-suggestedtarget': '.pdf', 'x-wopi-size': '9' });
    expect(res.status).toBe(200);
    const pdf = res.json();
    expect(pdf.Name).toBe('Report.pdf');
    expect(String(pdf.HostEditUrl)).toMatch(/\/files\/edit\//);
    // Its Url carries a token of its own for the new file.
    const url = new URL(String(pdf.Url));
    const newToken = url.searchParams.get('access_token')!;
    const newInfo = await wopi(newToken, url.pathname);
    expect(newInfo.json()).toMatchObject({ BaseFileName: 'Report.pdf', Size: 9 });
    expect((await wopi(newToken, `${url.pathname}/contents`)).text).toBe('converted');

    // A suggested name that is taken is adjusted; UTF-7 names are decoded.
    res = await putRelative({ 'x-wopi-suggestedtarget': '.pdf' });
    expect(res.json().Name).toBe('Report (2).pdf');
    res = await putRelative({ 'x-wopi-suggestedtarget': 'R+AOk-sum+AOk-.odt' });
    expect(res.json().Name).toBe('Résumé.odt');

    // Specific mode: the name as given; taken without overwrite is 409 with a valid name in UTF-7.
    res = await putRelative({ 'x-wopi-relativetarget': 'Copy.docx' }, 'copy 1');
    expect([res.status, res.json().Name]).toEqual([200, 'Copy.docx']);
    res = await putRelative({ 'x-wopi-relativetarget': 'Copy.docx' }, 'copy 2');
    expect(res.status).toBe(409);
    expect(res.headers.get('x-wopi-validrelativetarget')).toBe('Copy (2).docx');
    res = await putRelative({ 'x-wopi-relativetarget': 'R+AOk-sum+AOk-.odt' });
    expect(res.status).toBe(409);
    expect(res.headers.get('x-wopi-validrelativetarget')).toBe('R+AOk-sum+AOk- (2).odt');
    res = await putRelative({ 'x-wopi-relativetarget': 'Copy.docx', 'x-wopi-overwriterelativetarget': 'true' }, 'copy 3');
    expect(res.status).toBe(200);
    const copyUrl = new URL(String(res.json().Url));
    expect((await wopi(copyUrl.searchParams.get('access_token')!, `${copyUrl.pathname}/contents`)).text).toBe('copy 3');

    // A target an editor holds is never overwritten: 409 with its lock.
    const copyToken = copyUrl.searchParams.get('access_token')!;
    const copyId = copyUrl.pathname.split('/').pop()!;
    expect((await override(copyToken, copyId, 'LOCK', { 'x-wopi-lock': 'COPY-LOCK' })).status).toBe(200);
    res = await putRelative({ 'x-wopi-relativetarget': 'Copy.docx', 'x-wopi-overwriterelativetarget': 'true' }, 'copy 4');
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, 'COPY-LOCK']);
    expect(res.headers.get('x-wopi-validrelativetarget')).toBe('Copy (2).docx');

    // Both targets, none, or an illegal specific name: 400.
    expect((await putRelative({ 'x-wopi-suggestedtarget': '.pdf', 'x-wopi-relativetarget': 'a.pdf' })).status).toBe(400);
    expect((await putRelative({})).status).toBe(400);
    const illegal = await putRelative({ 'x-wopi-relativetarget': 'a/b.docx' });
    expect(illegal.status).toBe(400);
    expect(illegal.headers.get('x-wopi-invalidfilenameerror')).toBeTruthy();
    const children = await aliceRest.get<{ items: { name: string }[] }>(`/api/files/nodes/${folder.id}/children`);
    expect(children.body.items.map((i) => i.name).sort()).toEqual(['Copy.docx', 'Report (2).pdf', 'Report.docx', 'Report.pdf', 'Résumé.odt']);
  });

  it('RenameFile keeps the extension and honours the lock', async () => {
    const doc = (await upload(aliceRest, rootId, 'draft.docx', 'draft')).body;
    const { accessToken: t } = await issue(aliceRest, doc.id);
    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'R1' })).status).toBe(200);
    let res = await override(t, doc.id, 'RENAME_FILE', { 'x-wopi-requestedname': 'final', 'x-wopi-lock': 'other' });
    expect([res.status, res.headers.get('x-wopi-lock')]).toEqual([409, 'R1']);
    res = await override(t, doc.id, 'RENAME_FILE', { 'x-wopi-requestedname': 'Fin+AOk-', 'x-wopi-lock': 'R1' });
    expect([res.status, res.json()]).toEqual([200, { Name: 'Finé' }]);
    expect((await wopi(t, file(doc.id))).json().BaseFileName).toBe('Finé.docx');
    res = await override(t, doc.id, 'RENAME_FILE', { 'x-wopi-requestedname': 'a/b', 'x-wopi-lock': 'R1' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-wopi-invalidfilenameerror')).toBeTruthy();
  });

  it('re-checks the policy on every call: share downgraded, share revoked, person disabled', async () => {
    const doc = (await upload(aliceRest, rootId, 'shared.docx', 'shared')).body;
    const share = await aliceRest.post<{ id: string }>(`/api/files/nodes/${doc.id}/shares`, { grantee: { type: 'user', login: 'bob' }, role: 'edit' });
    expect(share.status).toBe(201);
    const { accessToken: t, canWrite } = await issue(bobRest, doc.id);
    expect(canWrite).toBe(true);
    let info = (await wopi(t, file(doc.id))).json();
    expect(info).toMatchObject({ UserCanWrite: true, UserId: bob.user.id, OwnerId: alice.user.id });
    // Bob may edit the file but not create files beside it.
    expect(info.UserCanNotWriteRelative).toBe(true);
    expect((await override(t, doc.id, 'LOCK', { 'x-wopi-lock': 'B' })).status).toBe(200);
    expect((await putFile(t, doc.id, 'bob was here', 'B')).status).toBe(200);
    expect((await override(t, doc.id, 'PUT_RELATIVE', { 'x-wopi-suggestedtarget': '.pdf' }, 'x')).status).toBe(401);

    expect((await aliceRest.patch(`/api/files/nodes/${doc.id}/shares/${share.body.id}`, { role: 'view' })).status).toBe(200);
    info = (await wopi(t, file(doc.id))).json();
    expect(info).toMatchObject({ UserCanWrite: false, ReadOnly: true });
    expect((await putFile(t, doc.id, 'not any more', 'B')).status).toBe(401);
    expect((await wopi(t, `${file(doc.id)}/contents`)).text).toBe('bob was here');

    expect((await aliceRest.del(`/api/files/nodes/${doc.id}/shares/${share.body.id}`)).status).toBe(204);
    expect((await wopi(t, file(doc.id))).status).toBe(404);
    expect((await wopi(t, `${file(doc.id)}/contents`)).status).toBe(404);

    const mine = (await upload(bobRest, (await bobRest.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces[0]!.rootId, 'bob.docx', 'b')).body;
    const { accessToken: bt } = await issue(bobRest, mine.id);
    expect((await wopi(bt, file(mine.id))).status).toBe(200);
    await ts.identity.service.disableUser(bob.user.id, TEST_ACTOR);
    expect((await wopi(bt, file(mine.id))).status).toBe(401);
    expect((await putFile(bt, mine.id, 'x')).status).toBe(401);
  });
});
