import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { client, createUser, signIn, startTestServer, TEST_ACTOR } from '../../test-support/identity.js';
import { testConfig } from '../../test-support/stack.js';
import type { FilesModule } from './module.js';
import type { FilesTables } from './tables.js';
import { davUser } from './testing/fixtures.js';

const CHILD = fileURLToPath(new URL('./testing/serverProcess.ts', import.meta.url));

/** Starts an upload that sends `sent` bytes of a declared `total`, then waits (the server gets killed meanwhile). */
function startUpload(url: string, path: string, auth: string, sent: number, total: number): Promise<void> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, method: 'PUT', path, headers: { authorization: auth, 'content-length': String(total) } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(Buffer.alloc(sent, 3), () => resolve());
  });
}

/** The server of `config` in its own process (killable with SIGKILL); resolves to its URL. */
function spawnServer(config: unknown): { child: ReturnType<typeof spawn>; url: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, TESSERA_CHILD_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return { child, url };
}

async function sharedStack() {
  const config = await testConfig();
  const databaseUrl = config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : config.database.url;
  const blobs =
    config.blobs.kind === 's3'
      ? `s3://${config.blobs.bucket}/${config.blobs.prefix}?endpoint=${encodeURIComponent(config.blobs.endpoint ?? '')}&region=${config.blobs.region}&forcePathStyle=true`
      : `file:${config.blobs.path}`;
  return { dataDir: config.dataDir, databaseUrl, blobs };
}

describe('crash safety', () => {
  it('a server killed mid-upload loses no file and shows no half file after restart', async () => {
    const config = await testConfig();
    const shared = { dataDir: config.dataDir, databaseUrl: config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : config.database.url, blobs: config.blobs.kind === 'file' ? `file:${config.blobs.path}` : undefined };
    const blobs = config.blobs.kind === 's3' ? `s3://${config.blobs.bucket}/${config.blobs.prefix}?endpoint=${encodeURIComponent(config.blobs.endpoint ?? '')}&region=${config.blobs.region}&forcePathStyle=true` : shared.blobs;

    // Before: a person with one file.
    let ts = await startTestServer({}, { ...shared, blobs });
    const alice = await davUser(ts, { username: 'alice' });
    const put = await fetch(`${alice.davUrl}keep.txt`, { method: 'PUT', headers: { authorization: alice.auth }, body: 'old content' });
    expect(put.status).toBe(201);
    const db0 = ts.server.platform.db.withTables<FilesTables>();
    const nodesBefore = (await db0.selectFrom('files_nodes').select('id').execute()).length;
    await ts.close();

    // The same data served by another process, killed with SIGKILL while two uploads stream in.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, TESSERA_CHILD_CONFIG: JSON.stringify(ts.server.platform.config) }, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    });
    const uploads = [startUpload(url, '/dav/files/alice/keep.txt', alice.auth, 64 * 1024, 1024 * 1024), startUpload(url, '/dav/files/alice/new.bin', alice.auth, 64 * 1024, 1024 * 1024)];
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await Promise.all(uploads);

    // After a restart: the old file intact, no half file, the tree as before, orphans swept.
    ts = await startTestServer({}, { ...shared, blobs });
    const davUrl = `${ts.url}/dav/files/alice/`;
    const get = await fetch(`${davUrl}keep.txt`, { headers: { authorization: alice.auth } });
    expect(await get.text()).toBe('old content');
    expect((await fetch(`${davUrl}new.bin`, { headers: { authorization: alice.auth } })).status).toBe(404);
    const db = ts.server.platform.db.withTables<FilesTables>();
    expect((await db.selectFrom('files_nodes').select('id').execute()).length).toBe(nodesBefore);
    expect(await db.selectFrom('files_versions').select('id').execute()).toEqual([]);
    const pending = await db.selectFrom('files_pending_blobs').select('blob_key').execute();
    // Both uploads had started writing when the process died: their marks are what the sweeper uses.
    expect(pending).toHaveLength(2);
    const files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
    expect(await files.sweepOrphans(0)).toBe(pending.length);
    for (const p of pending) expect(await ts.server.platform.blobs.stat(p.blob_key)).toBeNull();
    await ts.close();
  }, 60_000);

  it('a server killed amid many small uploads keeps every acknowledged one, whole, and nothing half', async () => {
    const shared = await sharedStack();
    let ts = await startTestServer({}, shared);
    const writer = await davUser(ts, { username: 'writer' });
    expect((await fetch(`${writer.davUrl}inbox/`, { method: 'MKCOL', headers: { authorization: writer.auth } })).status).toBe(201);
    const config = ts.server.platform.config;
    await ts.close();

    // Small files are kept in the database (content.ts): their bytes commit with their row.
    const { child, url: urlPromise } = spawnServer(config);
    const url = await urlPromise;
    const contentOf = (i: number) => `note ${i} `.repeat(1 + (i % 50));
    const acknowledged = new Set<number>();
    let next = 0;
    let stop = false;
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const i = next++;
        const res = await fetch(`${url}/dav/files/writer/inbox/n${i}.txt`, { method: 'PUT', headers: { authorization: writer.auth }, body: contentOf(i) }).catch(() => null);
        if (res?.status === 201) acknowledged.add(i);
        if (!res) return;
      }
    });
    const deadline = Date.now() + 20_000;
    while (acknowledged.size < 60 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    stop = true;
    await new Promise((r) => child.on('exit', r));
    await Promise.all(workers);
    expect(acknowledged.size).toBeGreaterThanOrEqual(60);

    ts = await startTestServer({}, shared);
    const db = ts.server.platform.db.withTables<FilesTables>();
    const inbox = await db.selectFrom('files_nodes').select('id').where('name', '=', 'inbox').executeTakeFirstOrThrow();
    const files = await db.selectFrom('files_nodes').selectAll().where('parent_id', '=', inbox.id).execute();
    const stored = new Map(files.map((f) => [Number(f.name.slice(1, -4)), f]));
    // Every acknowledged upload is there; anything else there (committed, unanswered) is whole too.
    for (const i of acknowledged) expect(stored.has(i), `n${i}.txt`).toBe(true);
    for (const [i, f] of stored) {
      expect(f.blob_key).toMatch(/^inline\//);
      const got = await fetch(`${ts.url}/dav/files/writer/inbox/${f.name}`, { headers: { authorization: writer.auth } });
      expect(await got.text(), f.name).toBe(contentOf(i));
    }
    // Nothing for the orphan sweeper, and no content without its file.
    expect(await db.selectFrom('files_pending_blobs').select('blob_key').execute()).toEqual([]);
    const inline = await db.selectFrom('files_inline_content').select('blob_key').execute();
    expect(inline.map((r) => r.blob_key).sort()).toEqual(files.map((f) => f.blob_key).sort());
    await ts.close();
  }, 120_000);

  it('a server killed mid-move loses and duplicates nothing; every acknowledged move holds', async () => {
    const shared = await sharedStack();
    let ts = await startTestServer({}, shared);
    const { user } = await createUser(ts, { username: 'mover' });
    const group = await ts.identity.service.createGroup({ name: 'crew', displayName: 'Crew' }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(group.id, { type: 'user', id: user.id }, TEST_ACTOR);
    const me = await signIn(ts.url, 'mover', 'mover-password-1');
    const spaces = (await me.get<{ spaces: { id: string; kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces;
    const personal = spaces.find((sp) => sp.kind === 'personal')!;
    const crew = spaces.find((sp) => sp.kind === 'group')!;
    const folder = async (parentId: string, name: string) => (await me.post<{ id: string }>(`/api/files/nodes/${parentId}/folders`, { name })).body.id;
    const left = await folder(personal.rootId, 'left');
    const right = await folder(personal.rootId, 'right');
    // 40 boxes of 3 files each; each box is moved once, half of them into the group space.
    const boxes: { id: string; to: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const id = await folder(left, `box-${i}`);
      for (let f = 0; f < 3; f++) {
        const res = await fetch(`${ts.url}/api/files/nodes/${id}/upload?name=f${f}.txt`, { method: 'PUT', headers: { cookie: me.cookie, 'x-csrf-token': me.csrf, 'content-type': 'text/plain' }, body: `box ${i} file ${f}` });
        expect(res.status).toBe(201);
      }
      boxes.push({ id, to: i % 2 === 0 ? right : crew.rootId });
    }
    const db0 = ts.server.platform.db.withTables<FilesTables>();
    const countBefore = (await db0.selectFrom('files_nodes').select('id').execute()).length;
    const config = ts.server.platform.config;
    await ts.close();

    // Another process serves the same data and is killed while the moves are under way.
    const { child, url: urlPromise } = spawnServer(config);
    const url = await urlPromise;
    const remote = client(url, { cookie: me.cookie, csrf: me.csrf });
    const acknowledged = new Set<string>();
    const moves = (async () => {
      for (let i = 0; i < boxes.length; i += 4) {
        await Promise.all(
          boxes.slice(i, i + 4).map(async (b) => {
            const res = await remote.patch(`/api/files/nodes/${b.id}`, { parentId: b.to }).catch(() => null);
            if (res?.status === 200) acknowledged.add(b.id);
          }),
        );
      }
    })();
    const deadline = Date.now() + 20_000;
    while (acknowledged.size < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await moves;
    expect(acknowledged.size).toBeGreaterThanOrEqual(8);
    expect(acknowledged.size).toBeLessThan(boxes.length);

    // After a restart: every box once, where its acknowledged move put it, its files with it.
    ts = await startTestServer({}, shared);
    const db = ts.server.platform.db.withTables<FilesTables>();
    const nodes = await db.selectFrom('files_nodes').selectAll().execute();
    expect(nodes).toHaveLength(countBefore);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const n of nodes) {
      if (!n.parent_id) continue;
      const parent = byId.get(n.parent_id);
      expect(parent, `parent of ${n.name}`).toBeDefined();
      expect(n.space_id, `space of ${n.name}`).toBe(parent!.space_id);
    }
    const after = client(ts.url, { cookie: me.cookie, csrf: me.csrf });
    for (const b of boxes) {
      const box = byId.get(b.id)!;
      if (acknowledged.has(b.id)) expect(box.parent_id).toBe(b.to);
      else expect([left, b.to]).toContain(box.parent_id);
      const files = nodes.filter((n) => n.parent_id === b.id);
      expect(files.map((f) => f.name).sort()).toEqual(['f0.txt', 'f1.txt', 'f2.txt']);
      const text = await (await fetch(`${ts.url}/api/files/nodes/${files[0]!.id}/content`, { headers: { cookie: after.cookie } })).text();
      expect(text).toMatch(/^box \d+ file \d$/);
    }
    await ts.close();
  }, 120_000);
});
