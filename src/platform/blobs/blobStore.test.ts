import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config/config.js';
import { STACK, testConfig } from '../../test-support/stack.js';
import { BlobChecksumError, BlobNotFoundError, BlobRangeError, type BlobStore } from './blobStore.js';
import { createBlobStore } from './createBlobStore.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Fails after `bytes`, like a client whose upload connection drops. */
function failingStream(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error('connection reset by peer'));
        return;
      }
      const chunk = randomBytes(Math.min(1024 * 1024, bytes - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

function rawS3(config: Extract<Config['blobs'], { kind: 's3' }>): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId ?? '', secretAccessKey: config.secretAccessKey ?? '' },
  });
}

describe(`blob store (${STACK} stack)`, () => {
  let config: Config['blobs'];
  let store: BlobStore;

  beforeAll(async () => {
    config = (await testConfig()).blobs;
    store = await createBlobStore(config);
  });
  afterAll(() => store.close());

  /** Changes stored bytes behind the store's back while keeping its recorded checksum. */
  async function corrupt(config: Config['blobs'], key: string): Promise<void> {
    if (config.kind === 'file') {
      const file = findFiles(join(config.path, 'objects'))[0]!;
      const bytes = readFileSync(file);
      bytes[0] = bytes[0]! ^ 0xff;
      writeFileSync(file, bytes);
      return;
    }
    const s3 = rawS3(config);
    const Key = `${config.prefix}/${key}`;
    const current = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key }));
    const body = Buffer.from(await current.Body!.transformToByteArray());
    body[0] = body[0]! ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: config.bucket, Key, Body: body, Metadata: current.Metadata }));
    s3.destroy();
  }

  it('is the backend the stack configures and passes its check', async () => {
    expect(store.kind).toBe(STACK === 'server' ? 's3' : 'file');
    await store.check();
  });

  it('round-trips buffers and streams with size, checksum and content type', async () => {
    const data = randomBytes(100_000);
    const info = await store.put('rt/buffer.bin', data, { contentType: 'application/pdf' });
    expect(info).toEqual({ key: 'rt/buffer.bin', size: data.length, sha256: sha(data), contentType: 'application/pdf' });
    expect(await store.stat('rt/buffer.bin')).toEqual(info);
    expect((await readAll(await store.get('rt/buffer.bin'))).equals(data)).toBe(true);

    const streamed = await store.put('rt/stream.txt', Readable.from(['hello ', 'world']));
    expect(streamed).toEqual({ key: 'rt/stream.txt', size: 11, sha256: sha(Buffer.from('hello world')) });
    expect((await readAll(await store.get('rt/stream.txt'))).toString()).toBe('hello world');

    const empty = await store.put('rt/empty', Buffer.alloc(0));
    expect(empty.size).toBe(0);
    expect((await readAll(await store.get('rt/empty'))).length).toBe(0);
    expect((await readAll(await store.get('rt/empty'))).length).toBe(0);
  });

  it('reads byte ranges (inclusive, end clamped) and rejects ranges outside the object', async () => {
    const data = Buffer.from('0123456789abcdefghij');
    await store.put('range/k', data);
    expect((await readAll(await store.get('range/k', { start: 0, end: 0 }))).toString()).toBe('0');
    expect((await readAll(await store.get('range/k', { start: 5, end: 9 }))).toString()).toBe('56789');
    expect((await readAll(await store.get('range/k', { start: 15 }))).toString()).toBe('fghij');
    expect((await readAll(await store.get('range/k', { start: 18, end: 1000 }))).toString()).toBe('ij');
    for (const bad of [{ start: 20 }, { start: -1 }, { start: 5, end: 4 }, { start: 1.5 }]) {
      await expect(store.get('range/k', bad), JSON.stringify(bad)).rejects.toBeInstanceOf(BlobRangeError);
    }
    await expect(store.get('range/missing', { start: 0 })).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('overwrites a key with the new content', async () => {
    await store.put('ow/k', Buffer.from('first version'));
    await store.put('ow/k', Readable.from([Buffer.from('second')]));
    expect((await readAll(await store.get('ow/k'))).toString()).toBe('second');
    expect((await store.stat('ow/k'))?.size).toBe(6);
  });

  it('deletes, and treats a missing key as absent rather than as an error', async () => {
    await store.put('del/k', Buffer.from('x'));
    await store.delete('del/k');
    expect(await store.stat('del/k')).toBeNull();
    await expect(store.get('del/k')).rejects.toBeInstanceOf(BlobNotFoundError);
    await store.delete('del/k');
    await expect(store.get('never/existed')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('rejects keys that could escape the store', async () => {
    for (const key of ['', '../etc/passwd', '/abs', 'a/../b', 'a//b', '.hidden', 'spaces are bad', 'x'.repeat(600)]) {
      await expect(store.put(key, Buffer.from('x')), key).rejects.toThrow(/Invalid blob key/);
      await expect(store.get(key), key).rejects.toThrow(/Invalid blob key/);
      await expect(store.stat(key), key).rejects.toThrow(/Invalid blob key/);
      await expect(store.delete(key), key).rejects.toThrow(/Invalid blob key/);
    }
  });

  it('errors the read stream with BlobChecksumError when the stored bytes were altered', async () => {
    // A store of its own, so the object to damage is the only one in it.
    const own = (await testConfig()).blobs;
    const isolated = await createBlobStore(own);
    try {
      await isolated.put('corrupt/me', randomBytes(300_000));
      await corrupt(own, 'corrupt/me');
      expect((await isolated.stat('corrupt/me'))?.size).toBe(300_000);
      await expect(readAll(await isolated.get('corrupt/me'))).rejects.toBeInstanceOf(BlobChecksumError);
    } finally {
      await isolated.close();
    }
  });

  it('leaves nothing visible when the source stream fails mid-way, and keeps the previous version', async () => {
    await expect(store.put('broken/new', failingStream(20 * 1024 * 1024))).rejects.toThrow(/connection reset/);
    expect(await store.stat('broken/new')).toBeNull();
    await expect(store.get('broken/new')).rejects.toBeInstanceOf(BlobNotFoundError);

    await store.put('broken/old', Buffer.from('the good version'));
    await expect(store.put('broken/old', failingStream(12 * 1024 * 1024))).rejects.toThrow(/connection reset/);
    expect((await readAll(await store.get('broken/old'))).toString()).toBe('the good version');

    // No temporary leftovers either.
    if (config.kind === 'file') {
      expect(readdirSync(join(config.path, 'tmp'))).toEqual([]);
    } else {
      const s3 = rawS3(config);
      const list = await s3.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: `${config.prefix}/.tmp/` }));
      s3.destroy();
      expect(list.Contents ?? []).toEqual([]);
    }
  });

  it('streams a 256 MiB object in and out without holding it in memory', { timeout: 240_000 }, async () => {
    const total = 256 * 1024 * 1024;
    const chunk = 1024 * 1024;
    const expected = createHash('sha256');
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced >= total) return void this.push(null);
        // Fresh pseudo-random chunks: a repeated buffer would hide copies the store keeps.
        const buf = Buffer.allocUnsafe(chunk);
        for (let i = 0; i < chunk; i += 4) buf.writeUInt32LE((produced + i) * 2654435761 >>> 0, i);
        expected.update(buf);
        produced += chunk;
        this.push(buf);
      },
    });
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const info = await store.put('large/object.bin', source, { contentType: 'application/octet-stream' });
      expect(info.size).toBe(total);
      expect(await store.stat('large/object.bin')).toEqual(info);
      expect(info.sha256).toBe(expected.digest('hex'));
      const readBack = createHash('sha256');
      let read = 0;
      for await (const c of await store.get('large/object.bin')) {
        readBack.update(c as Buffer);
        read += (c as Buffer).length;
      }
      expect(read).toBe(total);
      expect(readBack.digest('hex')).toBe(info.sha256);
    } finally {
      clearInterval(sampler);
    }
    const growthMiB = (peak - before) / 1024 / 1024;
    console.log(`blob store ${store.kind}: RSS growth ${growthMiB.toFixed(1)} MiB for 256 MiB`);
    // The object is 256 MiB; a store that buffered it would grow by at least that much.
    expect(growthMiB).toBeLessThan(96);
    await store.delete('large/object.bin');
  });
});

function findFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findFiles(p));
    else out.push(p);
  }
  return out;
}
