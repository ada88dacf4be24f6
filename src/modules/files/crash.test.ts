import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../test-support/identity.js';
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
});
