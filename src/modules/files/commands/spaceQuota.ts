import { ConflictError, NotFoundError } from '../../../platform/errors.js';
import type { Actor } from '../../identity/types.js';
import type { FilesContext } from '../context.js';
import type { SpaceRow } from '../tables.js';
import { allGroupSpaces, quotaOf } from './spaces.js';

export interface SpaceUsage {
  space: SpaceRow;
  usedBytes: number;
  quotaBytes: number | null;
}

/** Every group space with its usage and quota, for the admin console. */
export async function groupSpaceUsage(ctx: FilesContext): Promise<SpaceUsage[]> {
  const spaces = await allGroupSpaces(ctx);
  return Promise.all(spaces.map(async (space) => ({ space, usedBytes: await ctx.store.usedBytes(space.id), quotaBytes: await quotaOf(ctx, space) })));
}

/**
 * Sets a group space's quota (null = unlimited). A quota below what is used already is allowed:
 * nothing is deleted, further uploads are refused until the group makes room (like OneDrive).
 */
export async function setGroupSpaceQuota(ctx: FilesContext, actor: Actor, spaceId: string, quotaBytes: number | null): Promise<SpaceUsage> {
  return ctx.store.transaction(async (tx) => {
    const space = await ctx.store.space(spaceId, tx);
    if (!space) throw new NotFoundError('This space does not exist.');
    if (space.kind !== 'group') throw new ConflictError("A personal space follows its owner's quota: change it on the person.", 'personal_space');
    await ctx.store.setSpaceQuota(space.id, quotaBytes, tx);
    await ctx.platform.audit.append(
      { action: 'files.space.quota', actor, ip: actor.ip ?? null, target: { type: 'space', id: space.id }, details: { name: space.name, from: space.quota_bytes == null ? null : Number(space.quota_bytes), to: quotaBytes } },
      tx,
    );
    return { space: { ...space, quota_bytes: quotaBytes }, usedBytes: await ctx.store.usedBytes(space.id, tx), quotaBytes };
  });
}
