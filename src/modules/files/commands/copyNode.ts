import { now } from '../../../platform/db/database.js';
import { ConflictError } from '../../../platform/errors.js';
import { newEtag, newId, touchFolder, type FilesActor, type FilesContext, scheduleIndexing } from '../context.js';
import { QuotaExceededError } from '../errors.js';
import { assertValidName } from '../names.js';
import type { NodeRow, PropRow } from '../tables.js';
import { quotaOf } from './spaces.js';
import { assertNotInside, clearDestination, liveFolder } from './tree.js';

/**
 * Copies a file or a folder (with everything below it, or only the folder itself for depth 0).
 * Copies share the content blobs of their originals: blobs are immutable and deleted only when no
 * row names them any more, so a copy costs rows, not bytes. Versions are not copied.
 */
export async function copyNode(
  ctx: FilesContext,
  actor: FilesActor,
  nodeId: string,
  to: { parentId: string; name: string; overwrite: boolean; shallow?: boolean },
): Promise<{ node: NodeRow; replaced: boolean }> {
  const name = assertValidName(to.name);
  // Read before the transaction: identity's queries cannot run while SQLite's connection is in it.
  const target = await ctx.store.node(to.parentId);
  const targetSpace = target ? await ctx.store.space(target.space_id) : undefined;
  const quota = targetSpace ? await quotaOf(ctx, targetSpace) : null;
  return ctx.store.transaction(async (tx) => {
    const source = await ctx.store.node(nodeId, tx);
    if (!source || source.trash_id !== null) throw new ConflictError('The item to copy was deleted meanwhile.', 'source_missing');
    const folder = await liveFolder(ctx, to.parentId, tx);
    await ctx.store.lockSpace(folder.space_id, tx);
    if (source.kind === 'folder') await assertNotInside(ctx, source, folder, tx);
    if (folder.id === source.parent_id && name === source.name) throw new ConflictError('An item cannot be copied onto itself.', 'same_item');
    const subtree = source.kind === 'folder' && !to.shallow ? await ctx.store.liveSubtree(source.id, tx) : [source];

    const replaced = await clearDestination(ctx, actor, folder, name, to.overwrite, source, tx);
    if (quota !== null) {
      const used = await ctx.store.usedBytes(folder.space_id, tx);
      const adding = subtree.reduce((sum, n) => sum + (n.kind === 'file' ? Number(n.size) : 0), 0);
      if (used + adding > quota) throw new QuotaExceededError(quota, used);
    }

    const t = now();
    const ids = new Map<string, string>();
    const rows: NodeRow[] = subtree.map((n) => {
      const id = newId();
      ids.set(n.id, id);
      const isTop = n.id === source.id;
      return {
        ...n,
        id,
        space_id: folder.space_id,
        parent_id: isTop ? folder.id : ids.get(n.parent_id!)!,
        name: isTop ? name : n.name,
        etag: newEtag(),
        created_at: t,
        modified_at: n.kind === 'file' ? n.modified_at : t,
        created_by: actor.user.id,
        modified_by: n.kind === 'file' ? n.modified_by : actor.user.id,
      };
    });
    await ctx.store.insertNodes(rows, tx);
    const props: PropRow[] = (await ctx.store.propsOf([...ids.keys()], tx)).map((p) => ({ ...p, node_id: ids.get(p.node_id)! }));
    await ctx.store.insertProps(props, tx);
    await touchFolder(ctx, folder.id, actor, tx);
    await scheduleIndexing(ctx, rows.filter((r) => r.kind === 'file').map((r) => r.id), tx);
    return { node: rows[0]!, replaced };
  });
}
