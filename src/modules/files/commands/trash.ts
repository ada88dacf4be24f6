import { ConflictError, NotFoundError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { auditBy, scheduleBlobDeletion, touchFolder, type FilesActor, type FilesContext } from '../context.js';
import { freeChildName } from './freeChildName.js';
import { assertCanUseSpace } from '../policy.js';
import type { NodeRow } from '../tables.js';
import { spaceFor } from './spaces.js';
import { trashInTx } from './tree.js';
import { assertNoWopiLockWithin } from './wopiLocks.js';

/** Delete = move to the trash; the item and all below it can be restored until purged. */
export async function trashNode(ctx: FilesContext, actor: FilesActor, nodeId: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const node = await ctx.store.node(nodeId, tx);
    if (!node || node.trash_id !== null) throw new NotFoundError('This item does not exist (any more).');
    if (!node.parent_id) throw new ConflictError('The root folder of a space cannot be deleted.', 'not_deletable');
    await ctx.store.lockSpace(node.space_id, tx);
    await assertNoWopiLockWithin(ctx, node, tx);
    await trashInTx(ctx, actor, node, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.trash', target: { type: 'file', id: node.id }, details: { space: node.space_id, name: node.name, kind: node.kind } }), tx);
  });
}

export async function listTrash(ctx: FilesContext, user: UserView, spaceId: string): Promise<NodeRow[]> {
  const space = await spaceFor(ctx, user, spaceId);
  return ctx.store.trashItems(space.id);
}

async function trashItemFor(ctx: FilesContext, user: UserView, trashId: string): Promise<NodeRow> {
  const node = await ctx.store.node(trashId);
  if (!node || node.trash_id !== node.id) throw new NotFoundError('This item is not in the trash.');
  const space = await ctx.store.space(node.space_id);
  if (!space) throw new NotFoundError('This item is not in the trash.');
  await assertCanUseSpace(ctx.identity, user, space);
  return node;
}

/** Back where it was when that folder still exists, else to the space root; a taken name gets " (n)". */
export async function restoreTrash(ctx: FilesContext, actor: FilesActor, trashId: string): Promise<NodeRow> {
  await trashItemFor(ctx, actor.user, trashId);
  return ctx.store.transaction(async (tx) => {
    const node = await ctx.store.node(trashId, tx);
    if (!node || node.trash_id !== node.id) throw new NotFoundError('This item is not in the trash.');
    await ctx.store.lockSpace(node.space_id, tx);
    const space = (await ctx.store.space(node.space_id, tx))!;
    const original = node.trash_parent_id ? await ctx.store.node(node.trash_parent_id, tx) : undefined;
    const parentId = original && original.trash_id === null && original.kind === 'folder' ? original.id : space.root_id;
    const name = await freeChildName(ctx, parentId, node.name, tx);
    // Renamed first: the live-name index sees the node as soon as it leaves the trash.
    await ctx.store.updateNode(node.id, { parent_id: parentId, name }, tx);
    await ctx.store.unmarkTrashed(node.id, tx);
    await touchFolder(ctx, parentId, actor, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.restore', target: { type: 'file', id: node.id }, details: { space: node.space_id, name } }), tx);
    return { ...node, parent_id: parentId, name, trash_id: null, trashed_at: null, trashed_by: null, trash_parent_id: null, trash_path: null };
  });
}

/** Deletes for good: rows now, their blobs by a job after the commit. */
export async function purgeTrash(ctx: FilesContext, actor: FilesActor, trashId: string): Promise<void> {
  const item = await trashItemFor(ctx, actor.user, trashId);
  await ctx.store.transaction(async (tx) => {
    const nodes = await ctx.store.nodesOfTrashItem(item.id, tx);
    if (nodes.length === 0) throw new NotFoundError('This item is not in the trash.');
    const keys = await ctx.store.deleteNodes(nodes.map((n) => n.id), tx);
    await scheduleBlobDeletion(ctx, keys, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.purge', target: { type: 'file', id: item.id }, details: { space: item.space_id, name: item.name, items: nodes.length } }), tx);
  });
}

export async function emptyTrash(ctx: FilesContext, actor: FilesActor, spaceId: string): Promise<number> {
  const items = await listTrash(ctx, actor.user, spaceId);
  for (const item of items) await purgeTrash(ctx, actor, item.id);
  return items.length;
}

/** Trash older than this is deleted for good by the hourly sweep. */
/** Empties what has been in any trash longer than the retention period (TESSERA_FILES_TRASH_DAYS); audited as the system. */
export async function purgeExpiredTrash(ctx: FilesContext, retentionMs = ctx.platform.config.files.trashRetentionDays * 24 * 3600_000): Promise<number> {
  const before = new Date(Date.now() - retentionMs).toISOString();
  let purged = 0;
  for (;;) {
    const items = await ctx.store.trashItemsBefore(before, 100);
    if (items.length === 0) return purged;
    for (const item of items) {
      await ctx.store.transaction(async (tx) => {
        const nodes = await ctx.store.nodesOfTrashItem(item.id, tx);
        const keys = await ctx.store.deleteNodes(nodes.map((n) => n.id), tx);
        await scheduleBlobDeletion(ctx, keys, tx);
        await ctx.platform.audit.append(
          { action: 'files.purge', actor: { id: null, name: 'system' }, target: { type: 'file', id: item.id }, details: { space: item.space_id, name: item.name, items: nodes.length, reason: 'retention' } },
          tx,
        );
      });
      purged++;
    }
  }
}
