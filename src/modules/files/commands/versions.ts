import { now } from '../../../platform/db/database.js';
import { NotFoundError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { auditBy, versionsKept, newEtag, newId, scheduleBlobDeletion, type FilesActor, type FilesContext, scheduleIndexing } from '../context.js';
import { QuotaExceededError } from '../errors.js';
import type { NodeRow, VersionRow } from '../tables.js';
import { liveNodeFor, quotaOf } from './spaces.js';
import { scheduleRenditionCleanup } from '../preview/cleanup.js';
import { assertWopiWritable } from './wopiLocks.js';

export async function listVersions(ctx: FilesContext, user: UserView, nodeId: string): Promise<{ node: NodeRow; versions: VersionRow[] }> {
  const { node } = await liveNodeFor(ctx, user, nodeId);
  return { node, versions: node.kind === 'file' ? await ctx.store.versions(node.id) : [] };
}

/** The chosen version becomes current; what was current becomes a version (nothing is lost). */
export async function restoreVersion(ctx: FilesContext, actor: FilesActor, nodeId: string, versionId: string): Promise<NodeRow> {
  const { space } = await liveNodeFor(ctx, actor.user, nodeId, 'edit');
  const quota = await quotaOf(ctx, space);
  return ctx.store.transaction(async (tx) => {
    await ctx.store.lockSpace(space.id, tx);
    const node = await ctx.store.node(nodeId, tx);
    if (!node || node.trash_id !== null || node.kind !== 'file') throw new NotFoundError('This file does not exist (any more).');
    const versions = await ctx.store.versions(node.id, tx);
    const chosen = versions.find((v) => v.id === versionId);
    if (!chosen) throw new NotFoundError('This version does not exist (any more).');
    await assertWopiWritable(ctx, node, undefined, tx);
    if (quota !== null) {
      const used = await ctx.store.usedBytes(space.id, tx);
      if (used - node.size + chosen.size > quota) throw new QuotaExceededError(quota, used);
    }
    await ctx.store.deleteVersions([chosen.id], tx);
    await ctx.store.insertVersion(
      { id: newId(), node_id: node.id, size: node.size, content_type: node.content_type, blob_key: node.blob_key!, sha256: node.sha256!, etag: node.etag, created_at: node.modified_at, created_by: node.modified_by },
      tx,
    );
    const changes = { size: chosen.size, content_type: chosen.content_type, blob_key: chosen.blob_key, sha256: chosen.sha256, etag: newEtag(), modified_at: now(), modified_by: actor.user.id };
    await ctx.store.updateNode(node.id, changes, tx);
    await scheduleRenditionCleanup(ctx, [node.blob_key], tx);
    await scheduleIndexing(ctx, [node.id], tx);
    const extra = (await ctx.store.versions(node.id, tx)).slice(versionsKept(ctx));
    if (extra.length) {
      await ctx.store.deleteVersions(extra.map((v) => v.id), tx);
      await scheduleBlobDeletion(ctx, extra.map((v) => v.blob_key), tx);
    }
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.version.restore', target: { type: 'file', id: node.id }, details: { version: versionId } }), tx);
    return { ...node, ...changes };
  });
}
