import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { assertBlobKey, BlobChecksumError, BlobNotFoundError, BlobRangeError, resolveRange, type BlobInfo, type BlobStore } from './blobStore.js';
import { toChunks } from './chunks.js';
import { VerifiedFileReader } from './verifiedReader.js';

/**
 * Each object is one file: the content followed by a trailer (JSON metadata, its 4-byte length
 * and a magic marker). One file means one rename commits content and checksum together, so no
 * crash can leave content without its checksum, or an orphan beside a sidecar.
 */
const MAGIC = Buffer.from('TSRBLOB1');
const TAIL = 4 + MAGIC.length;
/** Temp files this old belong to a writer that died; younger ones may be a live writer's (another process). */
const STALE_TEMP_MS = 60 * 60 * 1000;
const WRITE_BATCH = 1024 * 1024;
const READ_CHUNK = 1024 * 1024;
/** A big upload is flushed to disk in the background every this many bytes (see BatchedWriter). */
const BACKGROUND_SYNC_BYTES = 32 * 2 ** 20;

interface Trailer {
  key: string;
  size: number;
  sha256: string;
  contentType?: string;
}

export async function createFileBlobStore(root: string): Promise<BlobStore> {
  const objects = join(root, 'objects');
  const tmp = join(root, 'tmp');
  await mkdir(objects, { recursive: true });
  await mkdir(tmp, { recursive: true });
  await cleanStaleTemp(tmp);
  // Object folders are only ever created, so one mkdir per folder and process is enough.
  const knownDirs = new Set<string>();
  const ensureDir = async (dir: string): Promise<void> => {
    if (knownDirs.has(dir)) return;
    const first = await mkdir(dir, { recursive: true });
    // A folder made just now is only durable once its own entry is: sync each new one's parent.
    if (first) {
      const top = resolve(first);
      for (let d = resolve(dir); d !== dirname(d); d = dirname(d)) {
        await syncDir(dirname(d));
        if (d === top) break;
      }
    }
    knownDirs.add(dir);
  };

  // Keys map to hashed paths: keys like "a" and "a/b" would otherwise need "a" as file and folder.
  const pathOf = (key: string): { dir: string; file: string } => {
    const h = createHash('sha256').update(key).digest('hex');
    const dir = join(objects, h.slice(0, 2), h.slice(2, 4));
    return { dir, file: join(dir, h) };
  };

  async function openObject(key: string): Promise<{ fh: FileHandle; info: BlobInfo } | null> {
    assertBlobKey(key);
    let fh: FileHandle;
    try {
      fh = await open(pathOf(key).file, 'r');
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    try {
      return { fh, info: await readTrailer(fh, key) };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  return {
    kind: 'file',

    async put(key, body, opts = {}) {
      assertBlobKey(key);
      const { dir, file } = pathOf(key);
      const temp = join(tmp, `${Date.now()}-${randomBytes(8).toString('hex')}`);
      const fh = await open(temp, 'wx', 0o600);
      let committed = false;
      try {
        const hash = createHash('sha256');
        const writer = new BatchedWriter(fh);
        let size = 0;
        for await (const chunk of toChunks(body)) {
          hash.update(chunk);
          size += chunk.length;
          await writer.add(chunk);
        }
        const info: BlobInfo = { key, size, sha256: hash.digest('hex'), ...(opts.contentType ? { contentType: opts.contentType } : {}) };
        const json = Buffer.from(JSON.stringify(info));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(json.length);
        // A small object's content and trailer leave in one system call.
        await writer.finish([json, len, MAGIC]);
        await fh.sync();
        await fh.close();
        await ensureDir(dir);
        await rename(temp, file);
        committed = true;
        await syncDir(dir);
        return info;
      } finally {
        if (!committed) {
          await fh.close().catch(() => {});
          await unlink(temp).catch(() => {});
        }
      }
    },

    async get(key, range, opts) {
      const opened = await openObject(key);
      if (!opened) throw new BlobNotFoundError(key);
      const { fh, info } = opened;
      if (range) {
        const span = resolveRange(range, info.size);
        if (!span) {
          await fh.close();
          throw new BlobRangeError(key, range, info.size);
        }
        return createReadStream('', { fd: fh, start: span.start, end: span.end, autoClose: true, highWaterMark: READ_CHUNK });
      }
      // Reading from the handle opened above means a concurrent overwrite cannot mix two versions.
      return new VerifiedFileReader(fh, info, READ_CHUNK, opts?.sink);
    },

    async stat(key) {
      const opened = await openObject(key);
      if (!opened) return null;
      await opened.fh.close();
      return opened.info;
    },

    async delete(key) {
      assertBlobKey(key);
      const { dir, file } = pathOf(key);
      try {
        await unlink(file);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      await syncDir(dir);
    },

    async check() {
      const probe = join(tmp, `check-${randomBytes(6).toString('hex')}`);
      try {
        const fh = await open(probe, 'wx', 0o600);
        await fh.close();
        await unlink(probe);
      } catch (e) {
        throw new Error(`The blob folder ${root} is not writable: ${(e as Error).message}`);
      }
    },

    async close() {},
  };
}

async function readTrailer(fh: FileHandle, key: string): Promise<BlobInfo> {
  const { size: fileSize } = await fh.stat();
  const tail = Buffer.alloc(TAIL);
  if (fileSize < TAIL) throw new BlobChecksumError(key);
  await fh.read(tail, 0, TAIL, fileSize - TAIL);
  if (!tail.subarray(4).equals(MAGIC)) throw new BlobChecksumError(key);
  const jsonLen = tail.readUInt32BE(0);
  const contentSize = fileSize - TAIL - jsonLen;
  if (contentSize < 0) throw new BlobChecksumError(key);
  const json = Buffer.alloc(jsonLen);
  await fh.read(json, 0, jsonLen, contentSize);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    throw new BlobChecksumError(key);
  }
  if (!isTrailer(parsed) || parsed.key !== key || parsed.size !== contentSize) throw new BlobChecksumError(key);
  return { key, size: parsed.size, sha256: parsed.sha256, ...(parsed.contentType ? { contentType: parsed.contentType } : {}) };
}

function isTrailer(v: unknown): v is Trailer {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return (
    typeof t.key === 'string' &&
    typeof t.size === 'number' &&
    typeof t.sha256 === 'string' &&
    (t.contentType === undefined || typeof t.contentType === 'string')
  );
}

/**
 * Gathers incoming chunks (64 KiB from a socket) into writes of about a mebibyte, with one write in
 * flight while the next batch is read: far fewer system calls and thread-pool round trips than a
 * write per chunk, and memory stays bounded at about two batches.
 */
class BatchedWriter {
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private unsynced = 0;
  private syncing: Promise<void> | null = null;

  constructor(private readonly fh: FileHandle) {}

  async add(chunk: Buffer): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    // Many tiny chunks (a slow client) are flushed by count too: writev takes at most IOV_MAX buffers.
    if (this.batchBytes < WRITE_BATCH && this.batch.length < 512) return;
    await this.inFlight;
    this.unsynced += this.batchBytes;
    this.inFlight = writevAll(this.fh, this.take());
    // Awaited with the next batch; until then a failure must not count as an unhandled rejection.
    this.inFlight.catch(() => {});
    this.syncInBackground();
  }

  /**
   * A large upload's data is flushed to disk while the rest still arrives (one flush at a time),
   * so the final fsync before the upload is acknowledged has little left to write, instead of the
   * whole file's worth of dirty pages.
   */
  private syncInBackground(): void {
    if (this.syncing || this.unsynced < BACKGROUND_SYNC_BYTES) return;
    this.unsynced = 0;
    this.syncing = this.fh.datasync().finally(() => (this.syncing = null));
    // The final fsync reports any failure; this flush only spreads the work out.
    this.syncing.catch(() => {});
  }

  async finish(tail: Buffer[]): Promise<void> {
    await this.inFlight;
    await writevAll(this.fh, [...this.take(), ...tail]);
    await this.syncing?.catch(() => {});
  }

  private take(): Buffer[] {
    const out = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    return out;
  }
}

async function writevAll(fh: FileHandle, buffers: Buffer[]): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await fh.writev(pending);
    // A short write: drop what went out and retry the rest.
    while (pending.length > 0 && bytesWritten >= pending[0]!.length) bytesWritten -= pending.shift()!.length;
    if (bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
  }
}

/** Makes the rename itself durable; without it a power loss may forget the new directory entry. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    /* some filesystems refuse fsync on directories; the rename is still atomic */
  } finally {
    await fh.close();
  }
}

async function cleanStaleTemp(tmp: string): Promise<void> {
  const cutoff = Date.now() - STALE_TEMP_MS;
  for (const name of await readdir(tmp)) {
    const p = join(tmp, name);
    const s = await stat(p).catch(() => null);
    if (s && s.mtimeMs < cutoff) await rm(p, { force: true });
  }
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ENOENT';
}
