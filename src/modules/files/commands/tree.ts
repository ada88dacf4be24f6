import type { Tx } from '../../../platform/db/database.js';
import { now } from '../../../platform/db/database.js';
import { ConflictError } from '../../../platform/errors.js';
import { touchFolder, type FilesActor, type FilesContext } from '../context.js';
import type { NodeRow } from '../tables.js';
import { pathOf } from './spaces.js';
import { assertNoWopiLockWithin } from './wopiLocks.js';

/** 409 when a name is taken and the caller did not ask to replace it (WebDAV maps it to 412). */
export class NameTakenError extends ConflictError {
  constructor(name: string) {
    super(`An item named ${name} exists in this folder already.`, 'name_taken');
  }
}

/** A live folder, re-read inside the transaction so a concurrent delete or move is seen. */
export async function liveFolder(ctx: FilesContext, id: string, tx: Tx): Promise<NodeRow> {
  const folder = await ctx.store.node(id, tx);
  if (!folder || folder.trash_id !== null) throw new ConflictError('The destination folder was moved or deleted meanwhile.', 'parent_missing');
  if (folder.kind !== 'folder') throw new ConflictError('The destination is not a folder.', 'not_a_folder');
  return folder;
}

/** Moves a node and everything below it to the trash (restorable), inside the caller's transaction. */
export async function trashInTx(ctx: FilesContext, actor: FilesActor, node: NodeRow, tx: Tx): Promise<void> {
  const ids = (await ctx.store.liveSubtree(node.id, tx)).map((n) => n.id);
  const path = await pathOf(ctx, node, tx);
  await ctx.store.markTrashed(ids, node.id, now(), actor.user.id, tx);
  await ctx.store.updateNode(node.id, { trash_parent_id: node.parent_id, trash_path: path }, tx);
  await touchFolder(ctx, node.parent_id, actor, tx);
}

/**
 * Frees `name` in `folder` for a move or copy: refuses when taken unless `overwrite`, in which
 * case the existing item goes to the trash (so an overwrite never loses data). True when replaced.
 */
export async function clearDestination(ctx: FilesContext, actor: FilesActor, folder: NodeRow, name: string, overwrite: boolean, source: NodeRow, tx: Tx): Promise<boolean> {
  const existing = await ctx.store.liveChild(folder.id, name, tx);
  if (!existing) return false;
  if (!overwrite) throw new NameTakenError(name);
  // Replacing a folder that holds the source would throw the source away with it.
  await assertNotInside(ctx, existing, source, tx);
  await assertNoWopiLockWithin(ctx, existing, tx);
  await trashInTx(ctx, actor, existing, tx);
  await ctx.platform.audit.append(
    { action: 'files.trash', actor: { id: actor.user.id, name: actor.user.username }, ip: actor.ip ?? null, target: { type: 'file', id: existing.id }, details: { name, reason: 'overwritten' } },
    tx,
  );
  return true;
}

/** Refuses to put a folder inside itself or one of its descendants. */
export async function assertNotInside(ctx: FilesContext, node: NodeRow, folder: NodeRow, tx: Tx): Promise<void> {
  let current: NodeRow | undefined = folder;
  while (current) {
    if (current.id === node.id) throw new ConflictError('A folder cannot be moved or copied into itself.', 'into_itself');
    current = current.parent_id ? await ctx.store.node(current.parent_id, tx) : undefined;
  }
}
