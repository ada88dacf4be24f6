import { Readable } from 'node:stream';
import { now } from '../../../platform/db/database.js';
import { AppError, ConflictError, NotFoundError, PayloadTooLargeError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { blobKeyFor, newId, scheduleBlobDeletion, type FilesActor, type FilesContext } from '../context.js';
import { PreconditionFailedError, QuotaExceededError } from '../errors.js';
import { assertValidName } from '../names.js';
import { authorize } from '../policy.js';
import { quotaOf } from '../commands/spaces.js';
import { writeFile } from '../commands/writeFile.js';
import type { NodeRow, UploadRow } from '../tables.js';
import { UploadStore } from './store.js';

/** The largest upload offered (Tus-Max-Size): S3's largest object. */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 4;
/** An upload nobody touched for this long is removed with its parts (Upload-Expires). */
export const UPLOAD_TTL_MS = 24 * 3600_000;

export interface NewUpload {
  parentId: string;
  name: string;
  length: number;
  contentType: string | null;
  /** true: refuse (412) rather than make a new version of an existing file. */
  createOnly: boolean;
  /** The Upload-Metadata header, echoed by HEAD. */
  metadata: string;
}

/** 410: the upload expired; the client starts a new one. */
export class UploadGoneError extends AppError {
  constructor() {
    super(410, 'upload_expired', 'This upload expired before it was finished. Start the upload again.');
  }
}

const store = (ctx: FilesContext) => UploadStore.of(ctx.platform.database);
const expiry = () => new Date(Date.now() + UPLOAD_TTL_MS).toISOString();

/**
 * Starts a resumable upload into a folder: edit permission on the folder, a valid name and room in
 * the quota for the whole length are checked now, so a doomed upload is refused before any byte.
 */
export async function createUpload(ctx: FilesContext, actor: FilesActor, input: NewUpload): Promise<{ upload: UploadRow; node: NodeRow | null }> {
  const { space, node: parent } = await authorize(ctx, actor.user, 'edit', input.parentId);
  if (parent.kind !== 'folder') throw new ConflictError('Uploads go into a folder; parentId names a file.', 'not_a_folder');
  const name = assertValidName(input.name);
  if (input.length > MAX_UPLOAD_BYTES) throw new PayloadTooLargeError(`A file can have at most ${MAX_UPLOAD_BYTES} bytes; split it or compress it.`);
  const existing = await ctx.store.liveChild(parent.id, name);
  if (existing?.kind === 'folder') throw new ConflictError(`A folder named ${name} exists here already.`, 'is_folder');
  if (existing && input.createOnly) throw new PreconditionFailedError('A file of this name exists already.');
  const quota = await quotaOf(ctx, space);
  if (quota !== null) {
    const used = await ctx.store.usedBytes(space.id);
    if (input.length > quota - used + (existing?.size ?? 0)) throw new QuotaExceededError(quota, used);
  }
  const upload: UploadRow = {
    id: newId(),
    user_id: actor.user.id,
    space_id: space.id,
    parent_id: parent.id,
    name,
    content_type: input.contentType,
    create_only: input.createOnly ? 1 : 0,
    length: input.length,
    received: 0,
    metadata: input.metadata,
    node_id: null,
    created_at: now(),
    expires_at: expiry(),
  };
  await store(ctx).insert(upload);
  // An empty file has no PATCH to finish it: it is complete at once.
  if (upload.length === 0) return complete(ctx, actor, upload, null);
  return { upload, node: null };
}

/** The person's own upload; anyone else's is 404 so upload ids reveal nothing. */
export async function ownUpload(ctx: FilesContext, user: UserView, id: string): Promise<UploadRow> {
  const upload = await store(ctx).get(id);
  if (!upload || upload.user_id !== user.id || user.status !== 'active') throw new NotFoundError('This upload does not exist, or it is not yours. Start the upload again.');
  if (upload.expires_at < now()) throw new UploadGoneError();
  return upload;
}

/**
 * Appends the bytes of one PATCH at `offset`. They become their own write-once blob, counted
 * only once its row commits, so after a crash the offset is exactly what was stored. A dropped
 * connection keeps what arrived: the client asks for the offset (HEAD) and sends the rest.
 * The PATCH that brings the last byte also writes the file, so completion and the last part
 * commit together: if the file cannot be written, the client's retry sends the last part again.
 */
export async function appendToUpload(ctx: FilesContext, actor: FilesActor, id: string, offset: number, body: Readable): Promise<{ upload: UploadRow; node: NodeRow | null }> {
  const upload = await ownUpload(ctx, actor.user, id);
  if (offset !== upload.received) {
    throw new ConflictError(`This upload has ${upload.received} bytes stored; send the bytes from there (Upload-Offset: ${upload.received}).`, 'offset_mismatch');
  }
  if (upload.node_id !== null || upload.received === upload.length) return { upload, node: null };

  const key = blobKeyFor(upload.space_id);
  // Marked before writing: if the process dies before the part row commits, the sweeper removes it.
  await ctx.store.addPendingBlob(key, now());
  const drop = async () => {
    await ctx.platform.blobs.delete(key).catch(() => {});
    await ctx.store.removePendingBlob(key).catch(() => {});
  };
  let size: number;
  try {
    size = (await ctx.platform.blobs.put(key, Readable.from(bytesUntilDropped(body, upload.length - offset)))).size;
  } catch (e) {
    await drop();
    throw e;
  }
  if (size === 0) {
    await drop();
    return { upload, node: null };
  }
  const part = { upload_id: upload.id, start: offset, size, blob_key: key, created_at: now() };
  if (offset + size === upload.length) {
    try {
      return await complete(ctx, actor, upload, part);
    } catch (e) {
      await drop();
      throw e;
    }
  }
  try {
    const updated = await store(ctx).transaction(async (tx) => {
      const fresh = await store(ctx).lock(upload.id, tx);
      if (!fresh) throw new NotFoundError('This upload was cancelled meanwhile.');
      // Another PATCH at the same offset won the race: these bytes are not needed.
      if (fresh.received !== offset) throw new ConflictError(`This upload has ${fresh.received} bytes stored; send the bytes from there.`, 'offset_mismatch');
      await store(ctx).insertPart(part, tx);
      const changes = { received: offset + size, expires_at: expiry() };
      await store(ctx).update(upload.id, changes, tx);
      await ctx.store.removePendingBlob(key, tx);
      return { ...fresh, ...changes };
    });
    return { upload: updated, node: null };
  } catch (e) {
    await drop();
    throw e;
  }
}

/**
 * Streams the parts in order into writeFile (so quota, versions, audit and the permission check on
 * the folder apply as for any upload) and marks the upload complete in the same transaction.
 */
async function complete(ctx: FilesContext, actor: FilesActor, upload: UploadRow, last: { blob_key: string; start: number; size: number; created_at: string; upload_id: string } | null): Promise<{ upload: UploadRow; node: NodeRow }> {
  const { space, node: parent } = await authorize(ctx, actor.user, 'edit', upload.parent_id);
  const parts = [...(await store(ctx).parts(upload.id)), ...(last ? [last] : [])];
  const expected = last ? last.start : upload.length;
  const { node } = await writeFile(ctx, actor, {
    space,
    parent,
    name: upload.name,
    body: Readable.from(concatBlobs(ctx, parts.map((p) => p.blob_key))),
    contentType: upload.content_type,
    contentLength: upload.length,
    ifNoneMatch: upload.create_only ? '*' : null,
    async beforeCommit(_existing, tx) {
      const fresh = await store(ctx).lock(upload.id, tx);
      if (!fresh) throw new NotFoundError('This upload was cancelled meanwhile.');
      if (fresh.received !== expected || fresh.node_id !== null) throw new ConflictError('This upload changed meanwhile; ask for its offset and go on from there.', 'offset_mismatch');
      const keys = await store(ctx).deleteParts(upload.id, tx);
      await store(ctx).update(upload.id, { received: upload.length, expires_at: expiry() }, tx);
      if (last) {
        await ctx.store.removePendingBlob(last.blob_key, tx);
        keys.push(last.blob_key);
      }
      // The parts are in the file's own blob now; theirs go after the commit.
      await scheduleBlobDeletion(ctx, keys, tx);
    },
  });
  // Only informative (HEAD shows it): the upload is complete whether or not this lands.
  await store(ctx).update(upload.id, { node_id: node.id });
  return { upload: { ...upload, received: upload.length, node_id: node.id }, node };
}

/** Cancels an upload: its rows go now, its part blobs right after the commit. */
export async function terminateUpload(ctx: FilesContext, user: UserView, id: string): Promise<void> {
  await ownUpload(ctx, user, id);
  await removeUpload(ctx, id);
}

async function removeUpload(ctx: FilesContext, id: string): Promise<void> {
  await store(ctx).transaction(async (tx) => {
    const keys = await store(ctx).deleteParts(id, tx);
    await store(ctx).delete(id, tx);
    await scheduleBlobDeletion(ctx, keys, tx);
  });
}

/** Removes uploads past their Upload-Expires with their parts; returns how many. */
export async function sweepExpiredUploads(ctx: FilesContext, at = new Date()): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = await store(ctx).expiredIds(at.toISOString(), 100);
    if (ids.length === 0) return removed;
    for (const id of ids) await removeUpload(ctx, id);
    removed += ids.length;
  }
}

/**
 * The request's bytes until it ends or the connection drops (what arrived is kept), refusing
 * more than the upload still needs.
 */
async function* bytesUntilDropped(body: Readable, max: number): AsyncGenerator<Buffer> {
  let seen = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      seen += buf.length;
      if (seen > max) throw new UploadTooLongError(max);
      yield buf;
    }
  } catch (e) {
    if (e instanceof UploadTooLongError) throw new PayloadTooLargeError(`This request has more bytes than the upload still needs (${max}); check Upload-Length.`);
    // The connection dropped: end the part here.
  }
}

class UploadTooLongError extends Error {
  constructor(max: number) {
    super(`more than ${max} bytes`);
  }
}

async function* concatBlobs(ctx: FilesContext, keys: string[]): AsyncGenerator<Buffer> {
  for (const key of keys) {
    for await (const chunk of await ctx.platform.blobs.get(key)) yield chunk as Buffer;
  }
}
