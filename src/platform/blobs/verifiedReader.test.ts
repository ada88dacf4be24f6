import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/stack.js';
import { BlobChecksumError } from './blobStore.js';
import { createFileBlobStore } from './fileBlobStore.js';
import { verifyingTransform } from './verifiedReader.js';

/**
 * A consumer that copies what it is given, at once (`delay` 0, like a socket with room) or after a
 * delay (a socket under load): a buffer reused before its write callback would show as changed bytes.
 */
class CopyingSink extends Writable {
  readonly received: Buffer[] = [];
  readonly memory = new Set<ArrayBufferLike>();
  constructor(private readonly delay: number) {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.memory.add(chunk.buffer);
    if (this.delay === 0) {
      this.received.push(Buffer.from(chunk));
      cb();
      return;
    }
    setTimeout(() => {
      this.received.push(Buffer.from(chunk));
      cb();
    }, this.delay);
  }
}

function objectFile(root: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) (e.isDirectory() ? walk(join(dir, e.name)) : files.push(join(dir, e.name)));
  };
  walk(join(root, 'objects'));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
}

describe('whole-object reads of the file blob store', () => {
  it('hands a sink every byte unchanged while reusing its read buffers', async () => {
    const store = await createFileBlobStore(tempDir());
    const content = randomBytes(9 * 1024 * 1024 + 12345);
    await store.put('big/k', content);
    for (const delay of [0, 3]) {
      const sink = new CopyingSink(delay);
      await pipeline(await store.get('big/k', undefined, { sink }), sink);
      const got = Buffer.concat(sink.received);
      expect(got.length).toBe(content.length);
      expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
      // A sink that keeps up gets its ten 1 MiB chunks in fewer buffers than that.
      if (delay === 0) expect(sink.memory.size).toBeLessThan(sink.received.length);
    }
  });

  it('never hands on the last chunk of a corrupted object: the consumer gets an error, not a whole file', async () => {
    const root = tempDir();
    const store = await createFileBlobStore(root);
    const content = randomBytes(3 * 1024 * 1024 + 7);
    await store.put('bad/k', content);
    const file = objectFile(root);
    const bytes = readFileSync(file);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(file, bytes);
    const sink = new CopyingSink(0);
    await expect(pipeline(await store.get('bad/k', undefined, { sink }), sink)).rejects.toBeInstanceOf(BlobChecksumError);
    // The three whole MiB before the last chunk went through; the last 7 bytes never did.
    expect(Buffer.concat(sink.received).length).toBe(3 * 1024 * 1024);
  });

  it('reads an empty object, and refuses one whose recorded checksum is not that of nothing', async () => {
    const root = tempDir();
    const store = await createFileBlobStore(root);
    await store.put('empty/k', Buffer.alloc(0));
    const chunks: Buffer[] = [];
    for await (const c of await store.get('empty/k')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).length).toBe(0);

    const file = objectFile(root);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(createHash('sha256').digest('hex'));
    bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    writeFileSync(file, bytes);
    const read = async () => {
      for await (const c of await store.get('empty/k')) chunks.push(c as Buffer);
    };
    await expect(read()).rejects.toBeInstanceOf(BlobChecksumError);
  });
});

describe('verifyingTransform (streams the store does not read itself, e.g. S3 bodies)', () => {
  const chunks = [randomBytes(1000), randomBytes(1000), randomBytes(500)];
  const whole = Buffer.concat(chunks);
  const info = { key: 's3/k', size: whole.length, sha256: createHash('sha256').update(whole).digest('hex') };

  it('passes every chunk of a matching object through', async () => {
    const sink = new CopyingSink(0);
    await pipeline(Readable.from(chunks), verifyingTransform(info), sink);
    expect(Buffer.concat(sink.received).equals(whole)).toBe(true);
  });

  it('withholds the last chunk of an object that differs in content or length', async () => {
    const flipped = Buffer.from(chunks[1]!);
    flipped[0] = flipped[0]! ^ 0xff;
    const altered = [chunks[0]!, flipped, chunks[2]!];
    for (const body of [altered, chunks.slice(0, 2)]) {
      const sink = new CopyingSink(0);
      await expect(pipeline(Readable.from(body), verifyingTransform(info), sink)).rejects.toBeInstanceOf(BlobChecksumError);
      expect(Buffer.concat(sink.received).length).toBe(body.slice(0, -1).reduce((n, c) => n + c.length, 0));
    }
  });
});
