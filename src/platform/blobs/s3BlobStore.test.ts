import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tempDir } from '../../test-support/stack.js';
import type { Config } from '../config/config.js';
import { BlobChecksumError, type BlobStore } from './blobStore.js';
import { createS3BlobStore } from './s3BlobStore.js';

/**
 * The S3 backend's own guarantees. On the server stack it uses the suite's endpoint; on the
 * embedded stack it starts its own s3rver on loopback, so the S3 code is exercised on both.
 */

type S3Config = Extract<Config['blobs'], { kind: 's3' }>;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('S3 blob store', () => {
  let endpoint: string;
  let stopServer: (() => Promise<void>) | null = null;
  const stores: BlobStore[] = [];

  beforeAll(async () => {
    const shared = process.env.TESSERA_TEST_S3_ENDPOINT;
    if (shared) {
      endpoint = shared;
      return;
    }
    const { default: S3rver } = await import('s3rver');
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: tempDir('tessera-s3-'), configureBuckets: [{ name: 'tessera-test', configs: [] }] });
    const { port } = (await server.run()) as { port: number };
    endpoint = `http://127.0.0.1:${port}`;
    stopServer = () => server.close();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await stopServer?.();
  });

  function cfg(over: Partial<S3Config> = {}): S3Config {
    return {
      kind: 's3',
      bucket: 'tessera-test',
      prefix: `t-${randomBytes(4).toString('hex')}`,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      ...over,
    };
  }

  async function open(c: S3Config): Promise<BlobStore> {
    const s = await createS3BlobStore(c);
    stores.push(s);
    return s;
  }

  it('check() names the bucket and the reason when the bucket is missing', async () => {
    const store = await open(cfg({ bucket: 'no-such-bucket' }));
    await expect(store.check()).rejects.toThrow(/no-such-bucket.*cannot be used: it does not exist/);
    await (await open(cfg())).check();
  });

  it('check() fails fast with the endpoint named when nothing listens there', async () => {
    const store = await open(cfg({ endpoint: 'http://127.0.0.1:1' }));
    const started = Date.now();
    await expect(store.check()).rejects.toThrow(/tessera-test at http:\/\/127.0.0.1:1 cannot be used/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('keeps stores with different prefixes apart', async () => {
    const a = await open(cfg());
    const b = await open(cfg());
    await a.put('same/key', Buffer.from('from a'));
    expect(await b.stat('same/key')).toBeNull();
    await b.put('same/key', Buffer.from('from b'));
    expect((await readAll(await a.get('same/key'))).toString()).toBe('from a');
  });

  it('refuses to serve an object written without its checksum (e.g. by another tool)', async () => {
    const c = cfg();
    const store = await open(c);
    const raw = new S3Client({ region: c.region, endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await raw.send(new PutObjectCommand({ Bucket: c.bucket, Key: `${c.prefix}/foreign`, Body: randomBytes(100) }));
    raw.destroy();
    await expect(store.stat('foreign')).rejects.toBeInstanceOf(BlobChecksumError);
    await expect(store.get('foreign')).rejects.toBeInstanceOf(BlobChecksumError);
  });

  it('removes temporary objects a crashed writer left behind when it opens', async () => {
    const c = cfg();
    await open(c);
    const raw = new S3Client({ region: c.region, endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const leftover = `${c.prefix}/.tmp/1-crashed`;
    await raw.send(new PutObjectCommand({ Bucket: c.bucket, Key: leftover, Body: randomBytes(1000) }));
    // Default staleness (a day) keeps it: it could be another process's upload in progress.
    await open(c);
    expect((await raw.send(new ListObjectsV2Command({ Bucket: c.bucket, Prefix: `${c.prefix}/.tmp/` }))).KeyCount).toBe(1);
    stores.push(await createS3BlobStore(c, { staleTempMs: 0 }));
    expect((await raw.send(new ListObjectsV2Command({ Bucket: c.bucket, Prefix: `${c.prefix}/.tmp/` }))).KeyCount).toBe(0);
    raw.destroy();
  });

  it('keeps the content type given at upload for streamed objects', async () => {
    const store = await open(cfg());
    const { Readable } = await import('node:stream');
    const info = await store.put('typed', Readable.from([randomBytes(10_000)]), { contentType: 'image/png' });
    expect(info.contentType).toBe('image/png');
    expect(await store.stat('typed')).toEqual(info);
  });
});
