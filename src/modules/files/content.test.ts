import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/identity.js';
import type { FilesModule } from './module.js';
import type { FilesTables } from './tables.js';
import { davUser, rawRequest, type DavUser } from './testing/fixtures.js';
import { waitFor } from '../../test-support/waitFor.js';

const LIMIT = 64;

/** Small files live in the database (content.ts), bigger ones in the blob store; readers cannot tell. */
describe('where file content is kept', () => {
  let ts: TestServer;
  let alice: DavUser;

  const db = () => ts.server.platform.db.withTables<FilesTables>();
  const dav = (method: string, name: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    rawRequest(ts.url, method, `/dav/files/alice/${name}`, { authorization: alice.auth, ...headers }, body);
  const rowOf = (name: string) => db().selectFrom('files_nodes').selectAll().where('name', '=', name).where('trash_id', 'is', null).executeTakeFirstOrThrow();
  const inlineRow = (key: string) => db().selectFrom('files_inline_content').select('content').where('blob_key', '=', key).executeTakeFirst();
  const pendingMarkers = async () => (await db().selectFrom('files_pending_blobs').select('blob_key').execute()).length;
  const files = () => ts.server.modules.find((m) => m.id === 'files') as FilesModule;

  beforeAll(async () => {
    ts = await startTestServer({ inlineMaxBytes: LIMIT });
    alice = await davUser(ts, { username: 'alice' });
  });
  afterAll(() => ts?.close());

  it('keeps a file up to the limit in the database and a bigger one in the blob store', async () => {
    const atLimit = 'a'.repeat(LIMIT);
    const overLimit = 'b'.repeat(LIMIT + 1);
    expect((await dav('PUT', 'at-limit.txt', atLimit)).status).toBe(201);
    expect((await dav('PUT', 'over-limit.txt', overLimit)).status).toBe(201);
    expect((await dav('PUT', 'empty.txt', '')).status).toBe(201);

    const small = await rowOf('at-limit.txt');
    expect(small.blob_key).toMatch(/^inline\//);
    expect(Buffer.from((await inlineRow(small.blob_key!))!.content).toString()).toBe(atLimit);
    expect(await ts.server.platform.blobs.stat(small.blob_key!)).toBeNull();

    const big = await rowOf('over-limit.txt');
    expect(big.blob_key).toMatch(/^files\//);
    expect(await inlineRow(big.blob_key!)).toBeUndefined();
    expect((await ts.server.platform.blobs.stat(big.blob_key!))?.size).toBe(LIMIT + 1);

    const empty = await rowOf('empty.txt');
    expect(empty.size).toBe(0);
    expect((await inlineRow(empty.blob_key!))?.content.length).toBe(0);
    // Every upload committed: no marker is left for the orphan sweeper.
    expect(await pendingMarkers()).toBe(0);

    for (const [name, body] of [['at-limit.txt', atLimit], ['over-limit.txt', overLimit], ['empty.txt', '']]) {
      const got = await dav('GET', name!);
      expect(got.status).toBe(200);
      expect(got.body).toBe(body);
      expect(got.headers['content-length']).toBe(String(body!.length));
    }
  });

  it('serves byte ranges of small files as of big ones', async () => {
    await dav('PUT', 'digits.txt', '0123456789');
    const part = await dav('GET', 'digits.txt', undefined, { range: 'bytes=2-5' });
    expect(part.status).toBe(206);
    expect(part.body).toBe('2345');
    expect(part.headers['content-range']).toBe('bytes 2-5/10');
    const tail = await dav('GET', 'digits.txt', undefined, { range: 'bytes=-3' });
    expect(tail.status).toBe(206);
    expect(tail.body).toBe('789');
    const outside = await dav('GET', 'digits.txt', undefined, { range: 'bytes=50-60' });
    expect(outside.status).toBe(416);
  });

  it('keeps versions across the limit and restores them', async () => {
    expect((await dav('PUT', 'grows.txt', 'small one')).status).toBe(201);
    expect((await dav('PUT', 'grows.txt', 'x'.repeat(500))).status).toBe(204);
    expect((await dav('PUT', 'grows.txt', 'small two')).status).toBe(204);
    const node = await rowOf('grows.txt');
    const versions = await db().selectFrom('files_versions').selectAll().where('node_id', '=', node.id).orderBy('created_at').execute();
    expect(versions.map((v) => v.blob_key.split('/')[0])).toEqual(['inline', 'files']);

    const service = files().service;
    const user = (await ts.identity.service.findUser('alice'))!;
    await service.restoreVersion({ user }, node.id, versions[0]!.id);
    expect((await dav('GET', 'grows.txt')).body).toBe('small one');
    await service.restoreVersion({ user }, node.id, versions[1]!.id);
    expect((await dav('GET', 'grows.txt')).body).toBe('x'.repeat(500));
  });

  it('deletes small content once nothing names it, and not before (copies share it)', async () => {
    await dav('PUT', 'shared.txt', 'one content, two files');
    expect((await dav('COPY', 'shared.txt', undefined, { destination: `${ts.url}/dav/files/alice/copy.txt` })).status).toBe(201);
    const original = await rowOf('shared.txt');
    const copy = await rowOf('copy.txt');
    expect(copy.blob_key).toBe(original.blob_key);

    const service = files().service;
    const user = (await ts.identity.service.findUser('alice'))!;
    const space = (await service.spacesOf(user)).find((s) => s.kind === 'personal')!;
    expect((await dav('DELETE', 'shared.txt')).status).toBe(204);
    await service.emptyTrash({ user }, space.id);
    // The deletion job ran (the trash is empty for good) and left the content the copy still names.
    await waitFor(async () => (await db().selectFrom('jobs').select('id').where('name', '=', 'files.deleteBlobs').where('status', '!=', 'done').executeTakeFirst()) === undefined);
    expect(await inlineRow(original.blob_key!)).toBeDefined();
    expect((await dav('GET', 'copy.txt')).body).toBe('one content, two files');

    expect((await dav('DELETE', 'copy.txt')).status).toBe(204);
    await service.emptyTrash({ user }, space.id);
    await waitFor(async () => (await inlineRow(original.blob_key!)) === undefined);
  });

  it('refuses a small upload past the quota and stores nothing', async () => {
    const bob = await davUser(ts, { username: 'bob', quotaBytes: 40 });
    const put = (name: string, body: string) => rawRequest(ts.url, 'PUT', `/dav/files/bob/${name}`, { authorization: bob.auth }, body);
    expect((await put('fits.txt', 'x'.repeat(30))).status).toBe(201);
    const before = (await db().selectFrom('files_inline_content').select('blob_key').execute()).length;
    expect((await put('too-much.txt', 'y'.repeat(20))).status).toBe(507);
    expect((await db().selectFrom('files_inline_content').select('blob_key').execute()).length).toBe(before);
    expect(await db().selectFrom('files_nodes').select('id').where('name', '=', 'too-much.txt').executeTakeFirst()).toBeUndefined();
  });
});
