import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tus from 'tus-js-client';
import { createUser, signIn, startTestServer, type TestClient, type TestServer } from '../../../test-support/identity.js';
import { tempDir } from '../../../test-support/stack.js';
import type { FilesModule } from '../module.js';
import type { FilesTables } from '../tables.js';

interface Space {
  id: string;
  kind: string;
  rootId: string;
}
const TUS = { 'tus-resumable': '1.0.0' };
// The Node build exports FileUrlStorage (the fingerprint store that survives a restart); its typings omit it.
const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (path: string) => NonNullable<tus.UploadOptions['urlStorage']> };

function meta(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

/** Runs a tus-js-client upload to its end; resolves with the upload URL, rejects with its error. */
function runUpload(upload: tus.Upload): Promise<string> {
  return new Promise((resolve, reject) => {
    upload.options.onSuccess = () => resolve(upload.url!);
    upload.options.onError = reject;
    upload.start();
  });
}

/**
 * A TCP proxy in front of the server that drops the first connection which carries more than
 * `cutAfter` bytes towards the server: a real network failure in the middle of a PATCH.
 */
async function droppingProxy(target: URL, cutAfter: number): Promise<{ url: string; cuts: number; close(): Promise<void> }> {
  const state = { cuts: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on('data', (chunk: Buffer) => {
      if (state.cuts > 0) {
        upstream.write(chunk);
        return;
      }
      const room = cutAfter - sent;
      sent += chunk.length;
      if (sent <= cutAfter) {
        upstream.write(chunk);
        return;
      }
      state.cuts++;
      upstream.end(chunk.subarray(0, room));
      client.destroy();
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get cuts() {
      return state.cuts;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('resumable uploads (tus 1.0.0 with tus-js-client)', () => {
  let ts: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let space: Space;
  let files: FilesModule;

  const headers = (c: TestClient) => ({ cookie: c.cookie, 'x-csrf-token': c.csrf });
  const download = async (c: TestClient, name: string): Promise<Buffer> => {
    const list = await c.get<{ items: { id: string; name: string }[] }>(`/api/files/nodes/${space.rootId}/children?limit=1000`);
    const node = list.body.items.find((n) => n.name === name);
    if (!node) throw new Error(`${name} is missing`);
    return Buffer.from(await (await fetch(`${ts.url}/api/files/nodes/${node.id}/content`, { headers: { cookie: c.cookie } })).arrayBuffer());
  };
  const head = (c: TestClient, url: string) => fetch(url, { method: 'HEAD', headers: { ...headers(c), ...TUS } });
  const create = (c: TestClient, length: number, fields: Record<string, string>) =>
    fetch(`${ts.url}/api/files/uploads`, { method: 'POST', headers: { ...headers(c), ...TUS, 'upload-length': String(length), 'upload-metadata': meta(fields) } });
  const patch = (c: TestClient, url: string, offset: number, body: Buffer) =>
    fetch(url, { method: 'PATCH', headers: { ...headers(c), ...TUS, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(body) });
  const partsOf = (id: string) => ts.server.platform.db.withTables<FilesTables>().selectFrom('files_upload_parts').selectAll().where('upload_id', '=', id).execute();

  beforeAll(async () => {
    ts = await startTestServer();
    await createUser(ts, { username: 'alice', quotaBytes: 20_000_000 });
    await createUser(ts, { username: 'bob' });
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    bob = await signIn(ts.url, 'bob', 'bob-password-1');
    space = (await alice.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!;
    files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
  });
  afterAll(async () => {
    await ts.close();
  });

  it('announces its version and extensions (OPTIONS)', async () => {
    const res = await fetch(`${ts.url}/api/files/uploads`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-extension')).toBe('creation,termination,expiration');
    expect(Number(res.headers.get('tus-max-size'))).toBeGreaterThan(0);
  });

  it('resumes from the server offset after the connection drops mid-PATCH', async () => {
    const data = randomBytes(4 * 1024 * 1024 + 123);
    const proxy = await droppingProxy(new URL(ts.url), 1_500_000);
    const offsets: number[] = [];
    try {
      const upload = new tus.Upload(data, {
        endpoint: `${proxy.url}/api/files/uploads`,
        headers: headers(alice),
        metadata: { name: 'dropped.bin', parentId: space.rootId, contentType: 'application/octet-stream' },
        retryDelays: [300, 600, 1000, 2000],
        onBeforeRequest: (req) => {
          if (req.getMethod() === 'PATCH') offsets.push(Number(req.getHeader('Upload-Offset')));
        },
      });
      await runUpload(upload);
    } finally {
      await proxy.close();
    }
    expect(proxy.cuts).toBe(1);
    // The retry went on from what the server had stored, not from the start.
    expect(offsets[0]).toBe(0);
    expect(offsets.some((o) => o > 0 && o < data.length)).toBe(true);
    expect((await download(alice, 'dropped.bin')).equals(data)).toBe(true);
  });

  it('resumes after a "page reload": the URL is found again by its fingerprint, HEAD gives the offset', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const storage = new FileUrlStorage(join(tempDir(), 'tus-urls.json'));
    const options = {
      endpoint: `${ts.url}/api/files/uploads`,
      headers: headers(alice),
      metadata: { name: 'reloaded.bin', parentId: space.rootId },
      chunkSize: 1024 * 1024,
      urlStorage: storage,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      retryDelays: null,
    };
    const first = new tus.Upload(data, options);
    await new Promise<void>((resolve, reject) => {
      first.options.onChunkComplete = () => {
        void first.abort().then(resolve);
      };
      first.options.onError = reject;
      first.start();
    });
    const url = first.url!;
    const status = await head(alice, url);
    expect(status.status).toBe(200);
    expect(status.headers.get('upload-offset')).toBe(String(1024 * 1024));
    expect(status.headers.get('upload-length')).toBe(String(data.length));
    expect(status.headers.get('cache-control')).toBe('no-store');
    expect(status.headers.get('upload-expires')).toMatch(/GMT$/);

    const again = new tus.Upload(data, options);
    const previous = await again.findPreviousUploads();
    expect(previous.map((p) => p.uploadUrl)).toEqual([url]);
    again.resumeFromPreviousUpload(previous[0]!);
    const offsets: number[] = [];
    again.options.onBeforeRequest = (req) => {
      if (req.getMethod() === 'PATCH') offsets.push(Number(req.getHeader('Upload-Offset')));
    };
    expect(await runUpload(again)).toBe(url);
    expect(offsets).toEqual([1024 * 1024, 2 * 1024 * 1024]);
    expect((await download(alice, 'reloaded.bin')).equals(data)).toBe(true);
    // Complete: HEAD says so, and the parts are gone (their bytes live in the file's blob).
    const done = await head(alice, url);
    expect(done.headers.get('upload-offset')).toBe(String(data.length));
    expect(await partsOf(url.split('/').pop()!)).toHaveLength(0);
  });

  it('refuses a PATCH at the wrong offset (409), another person (404), a wrong version (412) or type (415)', async () => {
    const res = await create(alice, 10, { name: 'strict.txt', parentId: space.rootId });
    expect(res.status).toBe(201);
    const url = new URL(res.headers.get('location')!, ts.url).toString();
    expect((await patch(alice, url, 0, Buffer.from('hello'))).status).toBe(204);
    const wrong = await patch(alice, url, 2, Buffer.from('xx'));
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('offset_mismatch');
    expect((await head(alice, url)).headers.get('upload-offset')).toBe('5');

    expect((await head(bob, url)).status).toBe(404);
    expect((await patch(bob, url, 5, Buffer.from('world'))).status).toBe(404);
    expect((await fetch(url, { method: 'DELETE', headers: { ...headers(bob), ...TUS } })).status).toBe(404);
    const bobResume = new tus.Upload(Buffer.from('helloworld'), { endpoint: `${ts.url}/api/files/uploads`, uploadUrl: url, headers: headers(bob), retryDelays: null, metadata: {} });
    await expect(runUpload(bobResume)).rejects.toThrow();
    expect((await head(alice, url)).headers.get('upload-offset')).toBe('5');

    const old = await fetch(url, { method: 'HEAD', headers: { ...headers(alice), 'tus-resumable': '0.2.2' } });
    expect(old.status).toBe(412);
    expect(old.headers.get('tus-version')).toBe('1.0.0');
    const typed = await fetch(url, { method: 'PATCH', headers: { ...headers(alice), ...TUS, 'upload-offset': '5', 'content-type': 'text/plain' }, body: 'world' });
    expect(typed.status).toBe(415);
    // More bytes than announced is refused and stores nothing.
    expect((await patch(alice, url, 5, Buffer.from('world and more'))).status).toBe(413);
    expect((await head(alice, url)).headers.get('upload-offset')).toBe('5');
    expect((await patch(alice, url, 5, Buffer.from('world'))).status).toBe(204);
    expect((await download(alice, 'strict.txt')).toString()).toBe('helloworld');
  });

  it('checks the folder, the name and the quota at creation', async () => {
    const tooBig = await create(alice, 30_000_000, { name: 'huge.bin', parentId: space.rootId });
    expect(tooBig.status).toBe(507);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(/Not enough storage/);
    expect((await create(bob, 10, { name: 'intruder.txt', parentId: space.rootId })).status).toBe(404);
    expect((await create(alice, 10, { name: 'a/b', parentId: space.rootId })).status).toBe(400);
    expect((await create(alice, 10, { name: 'x.txt', parentId: space.rootId, evil: '1' })).status).toBe(400);
    expect((await create(alice, 10, { parentId: space.rootId })).status).toBe(400);
    const noLength = await fetch(`${ts.url}/api/files/uploads`, { method: 'POST', headers: { ...headers(alice), ...TUS, 'upload-metadata': meta({ name: 'n', parentId: space.rootId }) } });
    expect(noLength.status).toBe(400);
    // onConflict=fail: an existing name is refused before any byte is sent.
    expect((await create(alice, 3, { name: 'strict.txt', parentId: space.rootId, onConflict: 'fail' })).status).toBe(412);
    // Without the CSRF header the session cookie alone does nothing.
    const noCsrf = await fetch(`${ts.url}/api/files/uploads`, { method: 'POST', headers: { cookie: alice.cookie, ...TUS, 'upload-length': '1', 'upload-metadata': meta({ name: 'c.txt', parentId: space.rootId }) } });
    expect(noCsrf.status).toBe(403);
    // An empty file is complete at creation.
    const empty = await create(alice, 0, { name: 'empty.txt', parentId: space.rootId });
    expect(empty.status).toBe(201);
    expect((await download(alice, 'empty.txt')).length).toBe(0);
  });

  it('terminates an upload: its parts go, and expired uploads are swept', async () => {
    const res = await create(alice, 100, { name: 'cancelled.txt', parentId: space.rootId });
    const url = new URL(res.headers.get('location')!, ts.url).toString();
    const id = url.split('/').pop()!;
    expect((await patch(alice, url, 0, Buffer.alloc(40, 1))).status).toBe(204);
    expect((await patch(alice, url, 40, Buffer.alloc(30, 2))).status).toBe(204);
    const parts = await partsOf(id);
    expect(parts.map((p) => Number(p.size))).toEqual([40, 30]);
    for (const p of parts) expect(await ts.server.platform.blobs.stat(p.blob_key)).not.toBeNull();
    const del = await fetch(url, { method: 'DELETE', headers: { ...headers(alice), ...TUS } });
    expect(del.status).toBe(204);
    expect(await partsOf(id)).toHaveLength(0);
    expect((await head(alice, url)).status).toBe(404);
    const deadline = Date.now() + 10_000;
    for (const p of parts) {
      while ((await ts.server.platform.blobs.stat(p.blob_key)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await ts.server.platform.blobs.stat(p.blob_key)).toBeNull();
    }

    const stale = await create(alice, 100, { name: 'stale.txt', parentId: space.rootId });
    const staleUrl = new URL(stale.headers.get('location')!, ts.url).toString();
    expect((await patch(alice, staleUrl, 0, Buffer.alloc(10))).status).toBe(204);
    const staleParts = await partsOf(staleUrl.split('/').pop()!);
    const db = ts.server.platform.db.withTables<FilesTables>();
    await db.updateTable('files_uploads').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', staleUrl.split('/').pop()!).execute();
    expect((await head(alice, staleUrl)).status).toBe(410);
    expect(await files.sweepExpiredUploads()).toBe(1);
    expect(await partsOf(staleUrl.split('/').pop()!)).toHaveLength(0);
    expect((await head(alice, staleUrl)).status).toBe(404);
    const later = Date.now() + 10_000;
    while ((await ts.server.platform.blobs.stat(staleParts[0]!.blob_key)) && Date.now() < later) await new Promise((r) => setTimeout(r, 100));
    expect(await ts.server.platform.blobs.stat(staleParts[0]!.blob_key)).toBeNull();
  });
});
