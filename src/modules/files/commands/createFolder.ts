import { folderRow, touchFolder, type FilesActor, type FilesContext } from '../context.js';
import { assertValidName } from '../names.js';
import type { NodeRow } from '../tables.js';
import { liveFolder, NameTakenError } from './tree.js';

export async function createFolder(ctx: FilesContext, actor: FilesActor, parentId: string, rawName: string): Promise<NodeRow> {
  const name = assertValidName(rawName);
  return ctx.store.transaction(async (tx) => {
    const parent = await liveFolder(ctx, parentId, tx);
    await ctx.store.lockSpace(parent.space_id, tx);
    if (await ctx.store.liveChild(parent.id, name, tx)) throw new NameTakenError(name);
    const row = folderRow(parent.space_id, parent.id, name, actor);
    await ctx.store.insertNodes([row], tx);
    await touchFolder(ctx, parent.id, actor, tx);
    return row;
  });
}
