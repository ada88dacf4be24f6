import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, setupAdmin, signIn, startTestServer, type TestClient, type TestServer } from '../../../test-support/identity.js';
import { davUser, restUpload, type DavUser } from '../testing/fixtures.js';
import { EICAR, EICAR_SIGNATURE, freePort, startClamd, type TestClamd } from '../testing/clamd.js';
import type { FilesTables } from '../tables.js';
import { createClamdScanner } from './clamd.js';
import { ScannerUnavailableError } from './errors.js';
import { waitFor } from '../../../test-support/waitFor.js';

interface Space {
  id: string;
  kind: string;
  rootId: string;
  usedBytes: number;
}

async function upload(c: TestClient, base: string, folderId: string, name: string, body: string | Buffer) {
  const res = await restUpload(c, base, folderId, name, body);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as { id: string; error?: { code: string; message: string; details?: { signature?: string } } } };
}

function davPut(base: string, u: DavUser, path: string, body: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PUT', path, headers: { authorization: u.auth } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function personal(c: TestClient): Promise<Space> {
  return (await c.get<{ spaces: Space[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!;
}

async function names(c: TestClient, folderId: string): Promise<string[]> {
  return (await c.get<{ items: { name: string }[] }>(`/api/files/nodes/${folderId}/children?limit=1000`)).body.items.map((n) => n.name);
}

describe('virus scanning with a real clamd', () => {
  let clamd: TestClamd;
  beforeAll(async () => {
    clamd = await startClamd({ streamMaxLength: '1M' });
  });
  afterAll(async () => {
    await clamd?.stop();
  });

  describe('delete mode', () => {
    let ts: TestServer;
    let admin: TestClient;
    let alice: TestClient;
    let aliceDav: DavUser;
    let space: Space;

    beforeAll(async () => {
      ts = await startTestServer({ clamav: clamd.url, clamavMaxBytes: 1024 * 1024 });
      admin = await setupAdmin(ts);
      aliceDav = await davUser(ts, { username: 'alice' });
      alice = await signIn(ts.url, 'alice', 'alice-password-1');
      space = await personal(alice);
    });
    afterAll(async () => {
      await ts?.close();
    });

    it('lets clean uploads through, over REST and WebDAV', async () => {
      const res = await upload(alice, ts.url, space.rootId, 'clean.txt', 'nothing to see here');
      expect(res.status).toBe(201);
      expect((await davPut(ts.url, aliceDav, '/dav/files/alice/clean-dav.txt', 'plain words')).status).toBe(201);
      expect(await names(alice, space.rootId)).toEqual(expect.arrayContaining(['clean.txt', 'clean-dav.txt']));
    });

    it('refuses EICAR over REST with 422 virus_found, stores nothing, audits it', async () => {
      const before = await personal(alice);
      const res = await upload(alice, ts.url, space.rootId, 'eicar.com', EICAR);
      expect(res.status).toBe(422);
      expect(res.body.error?.code).toBe('virus_found');
      expect(res.body.error?.details?.signature).toBe(EICAR_SIGNATURE);
      expect(res.body.error?.message).toContain(EICAR_SIGNATURE);
      expect(await names(alice, space.rootId)).not.toContain('eicar.com');
      expect((await personal(alice)).usedBytes).toBe(before.usedBytes);
      const db = ts.server.platform.db.withTables<FilesTables>();
      expect(await db.selectFrom('files_pending_blobs').selectAll().execute()).toEqual([]);
      expect(await db.selectFrom('files_quarantine').selectAll().execute()).toEqual([]);
      const audit = await admin.get<{ entries: { action: string; actorName: string; targetId: string; outcome: string; details: Record<string, unknown> }[] }>('/api/admin/audit?action=files.virus_found');
      expect(audit.body.entries).toHaveLength(1);
      expect(audit.body.entries[0]).toMatchObject({ actorName: 'alice', targetId: space.id, outcome: 'failure', details: { name: 'eicar.com', space: space.id, signature: EICAR_SIGNATURE, mode: 'delete' } });
      // Overwriting a clean file with EICAR keeps the clean content.
      const over = await upload(alice, ts.url, space.rootId, 'clean.txt', EICAR);
      expect(over.status).toBe(422);
      const list = await alice.get<{ items: { id: string; name: string; size: number }[] }>(`/api/files/nodes/${space.rootId}/children`);
      const clean = list.body.items.find((n) => n.name === 'clean.txt')!;
      expect(await (await fetch(`${ts.url}/api/files/nodes/${clean.id}/content`, { headers: { cookie: alice.cookie } })).text()).toBe('nothing to see here');
    });

    it('refuses EICAR over WebDAV with 422 and a message, and over a public upload link', async () => {
      const res = await davPut(ts.url, aliceDav, '/dav/files/alice/eicar-dav.txt', EICAR);
      expect(res.status).toBe(422);
      expect(res.body).toContain(EICAR_SIGNATURE);
      expect(await names(alice, space.rootId)).not.toContain('eicar-dav.txt');

      const drop = await alice.post<{ id: string }>(`/api/files/nodes/${space.rootId}/folders`, { name: 'Drop' });
      const link = await alice.post<{ token: string }>(`/api/files/nodes/${drop.body.id}/links`, { role: 'upload' });
      const put = await fetch(`${ts.url}/api/public/links/${link.body.token}/nodes/${drop.body.id}/upload?name=x.txt`, { method: 'PUT', body: EICAR });
      expect(put.status).toBe(422);
      expect(((await put.json()) as { error: { code: string } }).error.code).toBe('virus_found');
      expect(await names(alice, drop.body.id)).toEqual([]);
      const audit = await ts.server.platform.audit.query({ action: 'files.virus_found' });
      expect(audit.map((a) => a.details.name)).toEqual(expect.arrayContaining(['eicar-dav.txt', 'x.txt']));
    });

    it('refuses a file above clamd\'s StreamMaxLength with 413, declared or streamed', async () => {
      const res = await upload(alice, ts.url, space.rootId, 'big.bin', Buffer.alloc(3 * 1024 * 1024, 7));
      expect(res.status).toBe(413);
      expect(res.body.error?.code).toBe('too_large_to_scan');
      // Without Content-Length (chunked), the stream is cut once it passes the limit.
      const chunked = await fetch(`${ts.url}/api/files/nodes/${space.rootId}/upload?name=big2.bin`, {
        method: 'PUT',
        headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf },
        body: new ReadableStream({
          start(c) {
            for (let i = 0; i < 40; i++) c.enqueue(new Uint8Array(64 * 1024));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await names(alice, space.rootId)).not.toContain('big2.bin');
      expect(await names(alice, space.rootId)).not.toContain('big.bin');
      const db = ts.server.platform.db.withTables<FilesTables>();
      expect(await db.selectFrom('files_pending_blobs').selectAll().execute()).toEqual([]);
    });

    it('shows the scanner as working in the admin status', async () => {
      const status = await admin.get<{ services: Record<string, { ok: boolean; kind: string }> }>('/api/admin/status');
      expect(status.body.services['files.virusScanner']).toMatchObject({ ok: true, kind: `clamd ${clamd.url} (delete)` });
    });
  });

  describe('quarantine mode', () => {
    let ts: TestServer;
    let admin: TestClient;
    let bob: TestClient;

    beforeAll(async () => {
      ts = await startTestServer({ clamav: clamd.url, clamavMode: 'quarantine' });
      admin = await setupAdmin(ts);
      await createUser(ts, { username: 'bob' });
      bob = await signIn(ts.url, 'bob', 'bob-password-1');
    });
    afterAll(async () => {
      await ts?.close();
    });

    it('keeps the refused upload for admins to list and delete', async () => {
      const space = await personal(bob);
      const res = await upload(bob, ts.url, space.rootId, 'invoice.pdf.exe', EICAR);
      expect(res.status).toBe(422);
      expect(await names(bob, space.rootId)).toEqual([]);
      expect((await personal(bob)).usedBytes).toBe(0);

      expect((await bob.get('/api/admin/files/quarantine')).status).toBe(403);
      const list = await admin.get<{ mode: string; items: { id: string; name: string; signature: string; uploadedBy: { username: string }; size: number; spaceId: string }[] }>('/api/admin/files/quarantine');
      expect(list.body.mode).toBe('quarantine');
      expect(list.body.items).toHaveLength(1);
      const item = list.body.items[0]!;
      expect(item).toMatchObject({ name: 'invoice.pdf.exe', signature: EICAR_SIGNATURE, uploadedBy: { username: 'bob' }, size: EICAR.length, spaceId: space.id });
      const db = ts.server.platform.db.withTables<FilesTables>();
      const key = (await db.selectFrom('files_quarantine').select('blob_key').where('id', '=', item.id).executeTakeFirstOrThrow()).blob_key;
      // EICAR is small, so its bytes are kept in the database (files/content.ts), not the blob store.
      expect(key.startsWith('inline/')).toBe(true);
      const kept = async () => (await db.selectFrom('files_inline_content').select('content').where('blob_key', '=', key).executeTakeFirst())?.content;
      expect(Buffer.from((await kept())!).toString()).toBe(EICAR.toString());
      const audit = await ts.server.platform.audit.query({ action: 'files.virus_found' });
      expect(audit[0]!.details).toMatchObject({ mode: 'quarantine', quarantineId: item.id, signature: EICAR_SIGNATURE });

      expect((await admin.get('/api/admin/files/quarantine?limit=0')).status).toBe(400);
      expect((await admin.del(`/api/admin/files/quarantine/${item.id}`)).status).toBe(204);
      expect((await admin.del(`/api/admin/files/quarantine/${item.id}`)).status).toBe(404);
      expect((await admin.get<{ items: unknown[] }>('/api/admin/files/quarantine')).body.items).toEqual([]);
      await waitFor(async () => (await kept()) === undefined);
      expect((await ts.server.platform.audit.query({ action: 'files.quarantine.delete' })).length).toBe(1);
    });
  });

  describe('clamd unreachable', () => {
    let ts: TestServer;
    let admin: TestClient;
    let carol: TestClient;

    beforeAll(async () => {
      ts = await startTestServer({ clamav: `tcp://127.0.0.1:${await freePort()}`, clamavTimeoutSeconds: 2 });
      admin = await setupAdmin(ts);
      await createUser(ts, { username: 'carol' });
      carol = await signIn(ts.url, 'carol', 'carol-password-1');
    });
    afterAll(async () => {
      await ts?.close();
    });

    it('fails closed with 503 and commits nothing; the admin status says so', async () => {
      const space = await personal(carol);
      const res = await upload(carol, ts.url, space.rootId, 'report.txt', 'hello');
      expect(res.status).toBe(503);
      expect(res.body.error?.code).toBe('scanner_unavailable');
      expect(res.body.error?.message).toMatch(/virus scanner is unavailable.*try again later/i);
      expect(await names(carol, space.rootId)).toEqual([]);
      const db = ts.server.platform.db.withTables<FilesTables>();
      expect(await db.selectFrom('files_pending_blobs').selectAll().execute()).toEqual([]);
      expect(ts.logs.some((l) => l.msg === 'virus scanner unavailable; upload refused')).toBe(true);
      const status = await admin.get<{ services: Record<string, { ok: boolean; error?: string }> }>('/api/admin/status');
      expect(status.body.services['files.virusScanner']?.ok).toBe(false);
      expect(status.body.services['files.virusScanner']?.error).toMatch(/ECONNREFUSED/);
    });
  });
});

describe('clamd client', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let port: number;
  beforeAll(async () => {
    // Accepts and never answers: a hung clamd.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('gives up on a silent clamd after the timeout', async () => {
    const scanner = createClamdScanner({ kind: 'tcp', host: '127.0.0.1', port }, 300);
    const session = await scanner.start();
    session.tap.end(Buffer.from('hello'));
    session.tap.resume();
    const started = Date.now();
    await expect(session.verdict()).rejects.toBeInstanceOf(ScannerUnavailableError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
