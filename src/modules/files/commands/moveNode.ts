
import { ConflictError } from '../../../platform/errors.js';
import { newEtag, touchFolder, type FilesActor, type FilesContext } from '../context.js';
import { assertValidName } from '../names.js';
import type { NodeRow } from '../tables.js';
import { assertNotInside, clearDestination, liveFolder } from './tree.js';

/**
 * Rename and/or move in one transaction: the item is either where it was or where it goes.
 * Moves stay inside one space (moving between spaces is a copy and a delete, done by the caller).
 */
export async function moveNode(
  ctx: FilesContext,
  actor: FilesActor,
  nodeId: string,
  to: { parentId: string; name: string; overwrite: boolean },
): Promise<{ node: NodeRow; replaced: boolean }> {
  const name = assertValidName(to.name);
  return ctx.store.transaction(async (tx) => {
    const node = await ctx.store.node(nodeId, tx);
    if (!node || node.trash_id !== null || !node.parent_id) throw new ConflictError('This item cannot be moved (it is a space root, or was deleted).', 'not_movable');
    await ctx.store.lockSpace(node.space_id, tx);
    const folder = await liveFolder(ctx, to.parentId, tx);
    if (folder.space_id !== node.space_id) throw new ConflictError('Items move within one space; copy them to another space instead.', 'cross_space');
    if (folder.id === node.parent_id && name === node.name) return { node, replaced: false };
    await assertNotInside(ctx, node, folder, tx);
    const replaced = await clearDestination(ctx, actor, folder, name, to.overwrite, node, tx);
    const changes = { parent_id: folder.id, name, etag: newEtag(), modified_by: actor.user.id };
    await ctx.store.updateNode(node.id, changes, tx);
    await touchFolder(ctx, node.parent_id, actor, tx);
    if (folder.id !== node.parent_id) await touchFolder(ctx, folder.id, actor, tx);
    return { node: { ...node, ...changes, modified_at: node.modified_at }, replaced };
  });
}

