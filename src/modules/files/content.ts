import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobRangeError, resolveRange, type BlobRange, type BlobReadOptions } from '../../platform/blobs/blobStore.js';
import { timeOrderedId } from '../../platform/db/ids.js';
import type { FilesContext } from './context.js';

/**
 * Where a file's bytes live. A small file (up to TESSERA_FILES_INLINE_MAX_BYTES) is kept in the
 * database, written in the same transaction as its row: no temp file, no two disk flushes and a
 * rename, no marker for the orphan sweeper, and on S3 no request (and no 128 KiB minimum billed
 * size) per tiny object. Everything bigger streams to the blob store as before. The key says which:
 * readers and the deletion job need no lookup to know where to go.
 */
const INLINE_PREFIX = 'inline/';

export function inlineKeyFor(spaceId: string): string {
  return `${INLINE_PREFIX}${spaceId}/${timeOrderedId()}`;
}

export function isInlineKey(key: string): boolean {
  return key.startsWith(INLINE_PREFIX);
}

/** A stored file's bytes (a slice with a range), from wherever they live. */
export async function openContent(ctx: FilesContext, key: string, range?: BlobRange, opts?: BlobReadOptions): Promise<Readable> {
  if (!isInlineKey(key)) return ctx.platform.blobs.get(key, range, opts);
  const content = await ctx.store.inlineContent(key);
  if (!content) throw new Error(`The content ${key} is missing from the database`);
  if (!range) return bytesStream(content);
  const span = resolveRange(range, content.length);
  if (!span) throw new BlobRangeError(key, range, content.length);
  return bytesStream(content.subarray(span.start, span.end + 1));
}

/** Removes content nothing names any more (the deletion job has checked). */
export async function deleteContent(ctx: FilesContext, key: string): Promise<void> {
  if (isInlineKey(key)) await ctx.store.deleteInlineContent(key);
  else await ctx.platform.blobs.delete(key);
}

export function sha256Of(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Reads a body until it ends or passes `max` bytes. Ended: its bytes. Longer: a stream of
 * everything (what was read, then the rest), with the body's errors passed on.
 */
export async function takeSmall(body: Readable, max: number): Promise<Buffer | Readable> {
  if (max <= 0) return body;
  const it = body[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) return Buffer.concat(head, size);
    const chunk = asBuffer(next.value);
    head.push(chunk);
    size += chunk.length;
    if (size > max) return Readable.from(restOf(head, it), { objectMode: false });
  }
}

async function* restOf(head: Buffer[], it: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield asBuffer(next.value);
    }
  } finally {
    // A consumer that stops early (a failed blob write) stops the body too.
    await it.return?.();
  }
}

function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('File bodies must stream bytes');
}

function bytesStream(bytes: Buffer): Readable {
  return Readable.from(bytes.length > 0 ? [bytes] : [], { objectMode: false });
}
