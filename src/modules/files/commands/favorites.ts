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

/** How long an open keeps a file in Recent (the sweep forgets older ones). */
export const OPENED_KEPT_DAYS = 90;

/**
 * Files the person opened (download, preview, editor) or that changed in their spaces and below
 * what is shared with them, by the later of the two, newest first. Every row is checked with the
 * policy once more, so the list never shows what one cannot open (a share ended since, say).
 */
export async function recentFiles(ctx: FilesContext, user: UserView, limit: number): Promise<NodeRow[]> {
  const spaces = await spacesOf(ctx, user);
  const groupIds = await ctx.identity.groupIdsOf(user.id);
  const sharedRoots = [...new Set((await ctx.store.sharesTo(user.id, groupIds)).map((s) => s.node_id))];
  const [own, shared, opened] = await Promise.all([
    store(ctx).recentInSpaces(spaces.map((s) => s.id), limit),
    store(ctx).recentBelow(sharedRoots, limit),
    store(ctx).recentlyOpened(user.id, limit),
  ]);
  const byId = new Map<string, { node: NodeRow; at: string }>();
  const note = (node: NodeRow, at: string) => {
    const seen = byId.get(node.id);
    if (!seen || at > seen.at) byId.set(node.id, { node, at });
  };
  for (const n of [...own, ...shared]) note(n, n.modified_at);
  for (const o of opened) note(o.node, o.openedAt > o.node.modified_at ? o.openedAt : o.node.modified_at);
  const merged = [...byId.values()]
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.node.id.localeCompare(b.node.id)))
    .slice(0, limit)
    .map((e) => e.node);
  const visible = await Promise.all(merged.map((n) => canView(ctx, user, n)));
  return merged.filter((_, i) => visible[i]);
}

/** The person opened the file (they could: callers checked). Never fails the open itself. */
export async function markOpened(ctx: FilesContext, user: UserView, node: NodeRow): Promise<void> {
  if (node.kind !== 'file') return;
  try {
    await store(ctx).markOpened(user.id, node.id, now());
  } catch (err) {
    ctx.platform.log.warn({ err, nodeId: node.id }, 'could not remember that a file was opened (Recent)');
  }
}

export async function forgetOldOpens(ctx: FilesContext): Promise<void> {
  await store(ctx).forgetOpenedBefore(new Date(Date.now() - OPENED_KEPT_DAYS * 86_400_000).toISOString());
}
