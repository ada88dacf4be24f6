import type { Readable } from 'node:stream';

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
export interface BlobStore {
  readonly kind: 'file' | 's3';
  put(key: string, body: Readable | Buffer, opts?: { contentType?: string }): Promise<BlobInfo>;
  /** Streams the content; the stream errors with BlobChecksumError if the bytes differ from what was stored. */
  get(key: string): Promise<Readable>;
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

/** Keys are chosen by Tessera, never by users, but still must not escape the store. */
export function assertBlobKey(key: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,511}$/.test(key) || key.includes('..') || key.includes('//')) {
    throw new Error(`Invalid blob key: ${key}`);
  }
}
