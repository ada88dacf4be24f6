import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/stack.js';
import { BlobChecksumError } from './blobStore.js';
import { createFileBlobStore } from './fileBlobStore.js';

/** The local backend's own guarantees; it runs on both stacks because it needs only a disk. */

const WRITER = fileURLToPath(new URL('./testing/endlessWriter.ts', import.meta.url));

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function objectFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  return walk(join(root, 'objects'));
}

describe('local file blob store', () => {
  it('removes temp files left by a writer that died, but not a live writer’s', async () => {
    const root = tempDir();
    await (await createFileBlobStore(root)).close();
    const stale = join(root, 'tmp', 'stale-upload');
    const live = join(root, 'tmp', 'live-upload');
    writeFileSync(stale, randomBytes(1000));
    writeFileSync(live, randomBytes(1000));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    const store = await createFileBlobStore(root);
    expect(readdirSync(join(root, 'tmp')).sort()).toEqual(['live-upload']);
    // A partial write sitting in tmp is never visible as an object.
    expect(objectFiles(root)).toEqual([]);
    await store.close();
  });

  it('a process killed mid-write leaves the previous version, and no partial object', async () => {
    const root = tempDir();
    const before = await createFileBlobStore(root);
    await before.put('crash/k', Buffer.from('committed version'));
    await before.close();

    const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, root, 'crash/k'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => writer.stdout!.on('data', () => resolve()));
    // Let it get well into the write before pulling the plug.
    const tmp = join(root, 'tmp');
    while (readdirSync(tmp).every((n) => statSync(join(tmp, n)).size < 4 * 1024 * 1024)) await new Promise((r) => setTimeout(r, 20));
    const died = new Promise((r) => writer.once('exit', r));
    writer.kill('SIGKILL');
    await died;

    const after = await createFileBlobStore(root);
    expect((await readAll(await after.get('crash/k'))).toString()).toBe('committed version');
    expect(objectFiles(root).length).toBe(1);
    // The partial file stays in tmp until it is old enough to be surely abandoned.
    expect(readdirSync(tmp).length).toBe(1);
  });

  it('detects a truncated object and a damaged trailer', async () => {
    const root = tempDir();
    const store = await createFileBlobStore(root);
    await store.put('t/k', randomBytes(50_000));
    const file = objectFiles(root)[0]!;
    truncateSync(file, 20_000);
    await expect(store.get('t/k')).rejects.toBeInstanceOf(BlobChecksumError);
    await expect(store.stat('t/k')).rejects.toBeInstanceOf(BlobChecksumError);

    await store.put('t/k', randomBytes(50_000));
    const size = statSync(file).size;
    // Zeroed in place: same length, but no trailer marker any more.
    const bytes = Buffer.alloc(size);
    writeFileSync(file, bytes);
    await expect(store.get('t/k')).rejects.toBeInstanceOf(BlobChecksumError);
  });

  it('keys "a" and "a/b" coexist (keys do not become nested folders)', async () => {
    const store = await createFileBlobStore(tempDir());
    await store.put('a', Buffer.from('file a'));
    await store.put('a/b', Buffer.from('file a/b'));
    expect((await readAll(await store.get('a'))).toString()).toBe('file a');
    expect((await readAll(await store.get('a/b'))).toString()).toBe('file a/b');
  });

  it('a reader that opened an object keeps reading that version while it is overwritten', async () => {
    const store = await createFileBlobStore(tempDir());
    const v1 = randomBytes(4 * 1024 * 1024);
    await store.put('race/k', v1);
    const reading = await store.get('race/k');
    await store.put('race/k', randomBytes(3 * 1024 * 1024));
    expect((await readAll(reading)).equals(v1)).toBe(true);
    expect((await store.stat('race/k'))?.size).toBe(3 * 1024 * 1024);
  });
});
