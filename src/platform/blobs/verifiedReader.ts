import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Readable, Transform, type Writable } from 'node:stream';
import { BlobChecksumError, type BlobInfo } from './blobStore.js';

/** Buffers kept for reuse by one reader: enough for what an HTTP response holds between flushes. */
const POOL = 4;

/**
 * Reads a whole stored object through its open handle, hashing as it goes, and hands on the last
 * chunk only once the SHA-256 matched: a consumer never receives a corrupted object complete (an
 * HTTP client gets a cut-off answer, not a file that looks whole).
 *
 * With `sink`, the stream's one consumer that it is piped into directly (an HTTP response), a
 * buffer is read into again once the sink has flushed everything, instead of a fresh 1 MiB buffer
 * per read. At GiB sizes those fresh buffers kept V8's collector busy on the second core, which
 * the downloading client needs (bench/files, GET 1 GiB).
 */
export class VerifiedFileReader extends Readable {
  readonly #hash = createHash('sha256');
  #position = 0;
  readonly #spare: Buffer[] = [];
  readonly #lent: Buffer[] = [];

  constructor(
    private readonly fh: FileHandle,
    private readonly info: BlobInfo,
    private readonly chunkSize: number,
    private readonly sink?: Writable,
  ) {
    super({ highWaterMark: chunkSize });
  }

  override _read(): void {
    if (this.info.size === 0) {
      this.#finish(null);
      return;
    }
    if (this.sink && this.readableLength === 0 && this.sink.writableLength === 0) this.#spare.push(...this.#lent.splice(0));
    const buffer = this.#spare.pop() ?? Buffer.allocUnsafeSlow(this.chunkSize);
    const want = Math.min(this.chunkSize, this.info.size - this.#position);
    this.fh.read(buffer, 0, want, this.#position).then(
      ({ bytesRead }) => this.#took(buffer, bytesRead),
      (e: Error) => this.destroy(e),
    );
  }

  #took(buffer: Buffer, bytesRead: number): void {
    if (this.destroyed) return;
    // The file ends before its recorded size: the object was cut short behind the store's back.
    if (bytesRead === 0) {
      this.destroy(new BlobChecksumError(this.info.key));
      return;
    }
    const chunk = buffer.subarray(0, bytesRead);
    this.#hash.update(chunk);
    this.#position += bytesRead;
    if (this.sink && this.#lent.length < POOL) this.#lent.push(buffer);
    if (this.#position < this.info.size) {
      this.push(chunk);
      return;
    }
    this.#finish(chunk);
  }

  #finish(last: Buffer | null): void {
    if (this.#hash.digest('hex') !== this.info.sha256) {
      this.destroy(new BlobChecksumError(this.info.key));
      return;
    }
    if (last) this.push(last);
    this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.fh.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/**
 * The same check for a stream the store does not read itself (an S3 object's body): every chunk is
 * passed on one step late, and the last one only once the size and SHA-256 matched.
 */
export function verifyingTransform(info: BlobInfo): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      seen += chunk.length;
      const previous = held;
      held = chunk;
      cb(null, previous ?? undefined);
    },
    flush(cb) {
      if (seen !== info.size || hash.digest('hex') !== info.sha256) {
        cb(new BlobChecksumError(info.key));
        return;
      }
      cb(null, held ?? undefined);
    },
  });
}
