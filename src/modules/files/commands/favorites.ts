import { now } from '../../../platform/db/database.js';
import type { UserView } from '../../identity/types.js';
import type { FilesContext } from '../context.js';
import { FavoritesStore } from '../favorites/store.js';
import { authorize } from '../policy.js';
import type { NodeRow } from '../tables.js';
import { spacesOf } from './spaces.js';

const MAX_FAVORITES = 500;

const store = (ctx: FilesContext) => FavoritesStore.of(ctx.platform.database);

/** True when the person may still view the item (policy.authorize); false instead of an error. */
async function canView(ctx: FilesContext, user: UserView, node: NodeRow): Promise<boolean> {
  try {
    await authorize(ctx, user, 'view', node);
    return true;
  } catch {
    return false;
  }
}

/** Stars anything one can view (idempotent). */
export async function addFavorite(ctx: FilesContext, user: UserView, nodeId: string): Promise<void> {
  const { node } = await authorize(ctx, user, 'view', nodeId);
  await store(ctx).add({ user_id: user.id, node_id: node.id, created_at: now() });
}

/** Un-stars (idempotent; works on items one cannot reach any more). */
export async function removeFavorite(ctx: FilesContext, user: UserView, nodeId: string): Promise<void> {
  await store(ctx).remove(user.id, nodeId);
}

/**
 * The person's favorites they can still view: a star on an item whose share ended, or that went to
 * the trash, stays stored (it comes back with the access) but is not listed.
 */
export async function listFavorites(ctx: FilesContext, user: UserView): Promise<{ node: NodeRow; favoritedAt: string }[]> {
  const rows = await store(ctx).favoritesOf(user.id, MAX_FAVORITES);
  const visible = await Promise.all(rows.map((r) => canView(ctx, user, r.node)));
  return rows.filter((_, i) => visible[i]);
}

/**
 * Files recently changed in the person's spaces and below what is shared with them, newest first.
 * Every row is checked with the policy once more, so the list never shows what one cannot open.
 */
export async function recentFiles(ctx: FilesContext, user: UserView, limit: number): Promise<NodeRow[]> {
  const spaces = await spacesOf(ctx, user);
  const groupIds = await ctx.identity.groupIdsOf(user.id);
  const sharedRoots = (await ctx.store.sharesTo(user.id, groupIds)).map((s) => s.node_id).filter((id, i, all) => all.indexOf(id) === i);
  const [own, shared] = await Promise.all([store(ctx).recentInSpaces(spaces.map((s) => s.id), limit), store(ctx).recentBelow(sharedRoots, limit)]);
  const seen = new Set<string>();
  const merged = [...own, ...shared]
    .filter((n) => (seen.has(n.id) ? false : (seen.add(n.id), true)))
    .sort((a, b) => (a.modified_at < b.modified_at ? 1 : a.modified_at > b.modified_at ? -1 : a.id.localeCompare(b.id)))
    .slice(0, limit);
  const visible = await Promise.all(merged.map((n) => canView(ctx, user, n)));
  return merged.filter((_, i) => visible[i]);
}
