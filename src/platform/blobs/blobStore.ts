import type { Readable, Writable } from 'node:stream';

export interface BlobInfo {
  key: string;
  size: number;
  /** Hex SHA-256 of the content, computed while streaming in and checked while streaming out. */
  sha256: string;
  contentType?: string;
}

/**
 * Content-addressed or caller-keyed binary objects. Implementations stream both ways (a large
 * object never sits in memory) and are atomic: until `put` resolves, no reader can see the key,
 * and a crash mid-write leaves no partial object visible.
 */
export interface BlobRange {
  start: number;
  end?: number;
}

export interface BlobReadOptions {
  sink?: Writable;
}

export interface BlobStore {
  readonly kind: 'file' | 's3';
  put(key: string, body: Readable | Buffer, opts?: { contentType?: string }): Promise<BlobInfo>;
  /**
   * Streams the content; the stream errors with BlobChecksumError if the bytes differ from what
   * was stored. With a range (inclusive byte offsets, as in HTTP Range; `end` is clamped to the
   * last byte) only that slice is read, and it cannot be checked against the whole-object checksum.
   * `sink`: the writable the stream will be piped into directly and only (an HTTP response); a
   * store may then reuse a buffer once the sink has flushed it.
   */
  get(key: string, range?: BlobRange, opts?: BlobReadOptions): Promise<Readable>;
  stat(key: string): Promise<BlobInfo | null>;
  delete(key: string): Promise<void>;
  /** Throws with a readable message when the backend cannot be used (doctor, /readyz). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(key: string) {
    super(`Blob ${key} does not exist`);
  }
}

export class BlobChecksumError extends Error {
  constructor(key: string) {
    super(`Blob ${key} is corrupted: its content does not match the stored checksum`);
  }
}

export class BlobRangeError extends Error {
  constructor(key: string, range: BlobRange, size: number) {
    super(`Range ${range.start}-${range.end ?? ''} is outside blob ${key} (${size} bytes)`);
  }
}

/** The inclusive byte span a range selects, or null when it selects nothing valid. */
export function resolveRange(range: BlobRange, size: number): { start: number; end: number } | null {
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (!Number.isSafeInteger(range.start) || range.start < 0 || range.start > end) return null;
  if (range.end !== undefined && !Number.isSafeInteger(range.end)) return null;
  return { start: range.start, end };
}

/** Keys are chosen by Tessera, never by users, but still must not escape the store. */
export function assertBlobKey(key: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,511}$/.test(key) || key.includes('..') || key.includes('//')) {
    throw new Error(`Invalid blob key: ${key}`);
  }
}
