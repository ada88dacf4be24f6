
import { ConflictError } from '../../../platform/errors.js';
import { newEtag, touchFolder, type FilesActor, type FilesContext } from '../context.js';
import { QuotaExceededError } from '../errors.js';
import { assertValidName } from '../names.js';
import type { NodeRow } from '../tables.js';
import { quotaOf } from './spaces.js';
import { assertNotInside, clearDestination, liveFolder } from './tree.js';
import { assertNoWopiLockWithin } from './wopiLocks.js';

/**
 * Rename and/or move in one transaction: the item is either where it was or where it goes.
 * Between spaces too: the item, everything below it (its trashed items included, so they restore
 * where they belong), its versions, shares and links go along; contents are shared blobs, so no
 * byte is copied. The destination's quota must hold the moved files.
 */
export async function moveNode(
  ctx: FilesContext,
  actor: FilesActor,
  nodeId: string,
  to: { parentId: string; name: string; overwrite: boolean },
  /** An editor renaming the file it holds (WOPI RenameFile) names its lock. */
  wopiLock?: string,
): Promise<{ node: NodeRow; replaced: boolean }> {
  const name = assertValidName(to.name);
  // Read before the transaction: identity's queries cannot run while SQLite's connection is in it.
  const target = await ctx.store.node(to.parentId);
  const targetSpace = target ? await ctx.store.space(target.space_id) : undefined;
  const quota = targetSpace ? await quotaOf(ctx, targetSpace) : null;
  return ctx.store.transaction(async (tx) => {
    const node = await ctx.store.node(nodeId, tx);
    if (!node || node.trash_id !== null || !node.parent_id) throw new ConflictError('This item cannot be moved (it is a space root, or was deleted).', 'not_movable');
    const folder = await liveFolder(ctx, to.parentId, tx);
    if (targetSpace && folder.space_id !== targetSpace.id) throw new ConflictError('The destination folder was moved meanwhile; try again.', 'parent_missing');
    const crossSpace = folder.space_id !== node.space_id;
    // Both spaces, always in the same order, so two opposite moves cannot deadlock.
    for (const id of [...new Set([node.space_id, folder.space_id])].sort()) await ctx.store.lockSpace(id, tx);
    if (folder.id === node.parent_id && name === node.name) return { node, replaced: false };
    await assertNoWopiLockWithin(ctx, node, tx, wopiLock, 'self');
    await assertNotInside(ctx, node, folder, tx);
    const replaced = await clearDestination(ctx, actor, folder, name, to.overwrite, node, tx);
    if (crossSpace) {
      if (quota !== null) {
        const moving = (await ctx.store.liveSubtree(node.id, tx)).reduce((sum, n) => sum + (n.kind === 'file' ? Number(n.size) : 0), 0);
        const used = await ctx.store.usedBytes(folder.space_id, tx);
        if (used + moving > quota) throw new QuotaExceededError(quota, used);
      }
      await ctx.store.moveSubtreeToSpace(node.id, folder.space_id, tx);
    }
    const changes = { parent_id: folder.id, name, etag: newEtag(), modified_by: actor.user.id };
    await ctx.store.updateNode(node.id, changes, tx);
    await touchFolder(ctx, node.parent_id, actor, tx);
    if (folder.id !== node.parent_id) await touchFolder(ctx, folder.id, actor, tx);
    return { node: { ...node, ...changes, space_id: folder.space_id, modified_at: node.modified_at }, replaced };
  });
}

