import { Transform, type Readable } from 'node:stream';
import type { Tx } from '../../../platform/db/database.js';
import { now } from '../../../platform/db/database.js';
import { ConflictError } from '../../../platform/errors.js';
import { blobKeyFor, versionsKept, newEtag, newId, scheduleBlobDeletion, scheduleIndexing, touchFolder, type FilesActor, type FilesContext } from '../context.js';
import { PreconditionFailedError, QuotaExceededError } from '../errors.js';
import { assertValidName } from '../names.js';
import type { NodeRow, SpaceRow } from '../tables.js';
import { quotaOf } from './spaces.js';
import { scheduleRenditionCleanup } from '../preview/cleanup.js';
import { assertWopiWritable } from './wopiLocks.js';
import { startScan, settleScan } from '../scan/scanUpload.js';
import { inlineKeyFor, sha256Of, takeSmall } from '../content.js';
import { indexWithWrite } from '../search/indexContent.js';

export interface WriteFileInput {
  space: SpaceRow;
  parent: NodeRow;
  name: string;
  body: Readable;
  contentType?: string | null;
  /** Declared size, when the client sent Content-Length: checked against the quota before reading. */
  contentLength?: number | null;
  /** Write only if the current file has this entity tag ('*' = any existing file). */
  ifMatch?: string | null;
  /** '*' = write only if no file of this name exists. */
  ifNoneMatch?: string | null;
  /**
   * Set only by an office editor's PutFile (WOPI): the lock it holds. Everyone else is refused
   * while an editor holds the file (commands/wopiLocks.ts).
   */
  wopiLock?: string;
  /** The file this write must replace (by id): refused when the name now holds another item. */
  fileId?: string;
  /**
   * The item now at this name as the caller has just read it (null: none), saving a query on every
   * WebDAV PUT; the commit transaction reads it again under the lock either way.
   */
  current?: NodeRow | null;
  /** Runs inside the commit transaction, before the row changes (WebDAV lock checks). */
  beforeCommit?: (existing: NodeRow | undefined, tx: Tx) => Promise<void>;
}

class StreamTooLargeError extends Error {}

/**
 * Uploads stream into a fresh blob first; only then one transaction swaps the file row to it
 * (keeping the previous content as a version). A crash before the commit leaves the old file and
 * an unreferenced blob, never a half-written file. A small file's bytes are written by that same
 * transaction instead (content.ts), so there is nothing to leave behind.
 */
export async function writeFile(ctx: FilesContext, actor: FilesActor, input: WriteFileInput): Promise<{ node: NodeRow; created: boolean }> {
  const name = assertValidName(input.name);
  const before = input.current !== undefined ? (input.current ?? undefined) : await ctx.store.liveChild(input.parent.id, name);
  checkPreconditions(before, input);
  // Checked before reading the body too, so a refused upload is not stored first.
  await assertWopiWritable(ctx, before, input.wopiLock);
  const quota = await quotaOf(ctx, input.space, actor.user);
  let allowance = Number.MAX_SAFE_INTEGER;
  if (quota !== null) {
    const used = await ctx.store.usedBytes(input.space.id);
    allowance = quota - used + (before?.kind === 'file' ? before.size : 0);
    if (input.contentLength != null && input.contentLength > allowance) throw new QuotaExceededError(quota, used);
  }

  // Connected before anything is written: with clamd down the upload fails at once (503), storing nothing.
  const scan = await startScan(ctx, input.contentLength);
  let stored: StoredContent;
  try {
    const limited = limitBytes(allowance, input.body);
    let body: Readable = input.body.pipe(limited);
    if (scan) {
      // The scanner sees the bytes as they are stored; a quota stop must reach the blob write through it.
      limited.on('error', (err) => scan.tap.destroy(err));
      body = limited.pipe(scan.tap);
    }
    stored = await storeContent(ctx, input, body);
  } catch (e) {
    scan?.abort();
    if (e instanceof StreamTooLargeError || (e as Error).message?.includes('exceeds the quota')) {
      throw new QuotaExceededError(quota ?? 0, await ctx.store.usedBytes(input.space.id));
    }
    throw e;
  }
  const { key, inline, size, sha256 } = stored;
  // Infected or unscannable: the blob is removed or quarantined and this throws; nothing becomes visible.
  if (scan) await settleScan(ctx, actor, scan, { key, name, space: input.space, size, sha256, ...(inline ? { inline } : {}) });

  try {
    return await ctx.store.transaction(async (tx) => {
      await ctx.store.lockSpace(input.space.id, tx);
      if (inline) await ctx.store.insertInlineContent(key, inline, tx);
      else await ctx.store.removePendingBlob(key, tx);
      const parent = await ctx.store.node(input.parent.id, tx);
      if (!parent || parent.trash_id !== null || parent.kind !== 'folder') throw new ConflictError('The folder was moved or deleted meanwhile.', 'parent_missing');
      const existing = await ctx.store.liveChild(parent.id, name, tx);
      // Checked again under the lock: a concurrent writer may have replaced the file meanwhile.
      checkPreconditions(existing, input);
      await assertWopiWritable(ctx, existing, input.wopiLock, tx);
      await input.beforeCommit?.(existing, tx);
      if (quota !== null) {
        const used = await ctx.store.usedBytes(input.space.id, tx);
        if (used - (existing?.size ?? 0) + size > quota) throw new QuotaExceededError(quota, used);
      }
      const t = now();
      const contentType = input.contentType ?? null;
      if (existing) {
        await ctx.store.insertVersion(
          {
            id: newId(),
            node_id: existing.id,
            size: existing.size,
            content_type: existing.content_type,
            blob_key: existing.blob_key!,
            sha256: existing.sha256!,
            etag: existing.etag,
            created_at: existing.modified_at,
            created_by: existing.modified_by,
          },
          tx,
        );
        const changes = { size, content_type: contentType, blob_key: key, sha256, etag: newEtag(), modified_at: t, modified_by: actor.user.id };
        await ctx.store.updateNode(existing.id, changes, tx);
        await pruneVersions(ctx, existing.id, tx);
        await scheduleRenditionCleanup(ctx, [existing.blob_key], tx);
        const updated = { ...existing, ...changes };
        await indexContent(ctx, updated, inline, tx, false);
        return { node: updated, created: false };
      }
      const node: NodeRow = {
        id: newId(),
        space_id: input.space.id,
        parent_id: parent.id,
        name,
        kind: 'file',
        size,
        content_type: contentType,
        blob_key: key,
        sha256,
        etag: newEtag(),
        created_at: t,
        modified_at: t,
        created_by: actor.user.id,
        modified_by: actor.user.id,
        trash_id: null,
        trashed_at: null,
        trashed_by: null,
        trash_parent_id: null,
        trash_path: null,
      };
      await ctx.store.insertNodes([node], tx);
      await touchFolder(ctx, parent.id, actor, tx);
      await indexContent(ctx, node, inline, tx, true);
      return { node, created: true };
    });
  } catch (e) {
    // A refused commit rolled the inline content back with it; a blob must go by hand.
    if (!inline) {
      await ctx.platform.blobs.delete(key).catch(() => {});
      await ctx.store.removePendingBlob(key).catch(() => {});
    }
    throw e;
  }
}

/** Small files are indexed with their write when cheap (search/indexContent.ts); the rest is queued. */
async function indexContent(ctx: FilesContext, node: NodeRow, inline: Buffer | undefined, tx: Tx, fresh: boolean): Promise<void> {
  if (inline && (await indexWithWrite(ctx, node, inline, tx, { fresh }))) return;
  await scheduleIndexing(ctx, [node.id], tx);
}

interface StoredContent {
  key: string;
  /** A small file's bytes, for the commit transaction to write; unset when they went to the blob store. */
  inline?: Buffer;
  size: number;
  sha256: string;
}

/** Keeps a small body for the commit (content.ts), streams a bigger one into a fresh blob. */
async function storeContent(ctx: FilesContext, input: WriteFileInput, body: Readable): Promise<StoredContent> {
  const small = await takeSmall(body, ctx.platform.config.files.inlineMaxBytes);
  if (Buffer.isBuffer(small)) return { key: inlineKeyFor(input.space.id), inline: small, size: small.length, sha256: sha256Of(small) };
  const key = blobKeyFor(input.space.id);
  // Marked before writing: if the process dies before the commit, the sweeper finds the orphan.
  await ctx.store.addPendingBlob(key, now());
  try {
    const info = await ctx.platform.blobs.put(key, small, input.contentType ? { contentType: input.contentType } : {});
    return { key, size: info.size, sha256: info.sha256 };
  } catch (e) {
    await ctx.platform.blobs.delete(key).catch(() => {});
    await ctx.store.removePendingBlob(key).catch(() => {});
    throw e;
  }
}

function checkPreconditions(existing: NodeRow | undefined, input: WriteFileInput): void {
  if (input.fileId !== undefined && existing?.id !== input.fileId) throw new ConflictError('The file was renamed, moved or deleted meanwhile. Open it again.', 'file_moved');
  if (existing?.kind === 'folder') throw new ConflictError(`A folder named ${existing.name} exists here already.`, 'is_folder');
  if (input.ifMatch != null) {
    if (!existing) throw new PreconditionFailedError('The file does not exist (any more).');
    if (input.ifMatch !== '*' && !etagListMatches(input.ifMatch, existing.etag)) throw new PreconditionFailedError();
  }
  if (input.ifNoneMatch != null && existing) {
    if (input.ifNoneMatch === '*' || etagListMatches(input.ifNoneMatch, existing.etag)) throw new PreconditionFailedError('A file of this name exists already.');
  }
}

/** True when a header like `"a", "b"` or `*` names this entity tag (strong comparison). */
export function etagListMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim() === `"${etag}"`);
}

async function pruneVersions(ctx: FilesContext, nodeId: string, tx: Tx): Promise<void> {
  const versions = await ctx.store.versions(nodeId, tx);
  const extra = versions.slice(versionsKept(ctx));
  if (extra.length === 0) return;
  await ctx.store.deleteVersions(extra.map((v) => v.id), tx);
  await scheduleBlobDeletion(ctx, extra.map((v) => v.blob_key), tx);
}

/** Stops the upload as soon as it passes what the quota allows, instead of storing it all first. */
function limitBytes(max: number, source: Readable): Transform {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) {
        cb(new StreamTooLargeError('upload exceeds the quota'));
        return;
      }
      cb(null, chunk);
    },
  });
  // An aborted client connection must fail the blob write, not leave it waiting.
  source.on('error', (err) => t.destroy(err));
  source.on('close', () => {
    if ('complete' in source && source.complete === false) t.destroy(new Error('the upload was interrupted'));
  });
  return t;
}
