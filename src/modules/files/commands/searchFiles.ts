import type { UserView } from '../../identity/types.js';
import type { FilesContext } from '../context.js';
import { canUseSpace, roleFromShares } from '../policy.js';
import { SearchStore, type SearchTerms } from '../search/searchStore.js';
import type { NodeRow, SpaceRow } from '../tables.js';
import { fold } from '../../../platform/db/fold.js';

export interface SearchResult {
  node: NodeRow;
  space: SpaceRow;
  /** '/Folder/name.ext': from the space root, or from the shared folder for items shared with one. */
  path: string;
  /** The folder to open to see the item, when the searcher can browse it. */
  folderId: string | null;
  snippet: string | null;
  matched: { name: boolean; content: boolean };
}

/** Splits what was typed into the words content must hold and the pieces names must contain. */
export function searchTerms(q: string): SearchTerms {
  // Folded as names and the index are: "Résumé" finds "resume" and the other way round.
  const text = fold(q.trim());
  const words = [...new Set(text.match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 10);
  return { words, nameNeedles: words.length ? words : [text] };
}

/**
 * Search by name and content over what the person may view. Permissions are the same as
 * policy.authorize's (space membership, else a share on the item or an ancestor), written as
 * one SQL filter so that results can be paged; each page is checked again with the policy's own
 * rules before it is returned.
 */
export async function searchFiles(ctx: FilesContext, user: UserView, q: string, page: { limit: number; offset: number }): Promise<{ items: SearchResult[]; hasMore: boolean }> {
  if (user.status !== 'active') return { items: [], hasMore: false };
  const terms = searchTerms(q);
  const groupIds = await ctx.identity.groupIdsOf(user.id);
  const store = new SearchStore(ctx.platform.database);
  const hits = await store.search({ userId: user.id, groupIds }, terms, { limit: page.limit + 1, offset: page.offset });
  const hasMore = hits.length > page.limit;
  const pageHits = hits.slice(0, page.limit);
  const snippets = await store.snippets(pageHits.filter((h) => h.contentHit).map((h) => h.node.id), terms.words);
  const spaces = new Map<string, SpaceRow | undefined>();
  const items: SearchResult[] = [];
  for (const hit of pageHits) {
    if (!spaces.has(hit.node.space_id)) spaces.set(hit.node.space_id, await ctx.store.space(hit.node.space_id));
    const space = spaces.get(hit.node.space_id);
    if (!space) continue;
    const where = await locate(ctx, user, groupIds, space, hit.node);
    if (!where) continue;
    items.push({ node: hit.node, space, ...where, snippet: snippets.get(hit.node.id) ?? null, matched: { name: hit.nameHit, content: hit.contentHit } });
  }
  return { items, hasMore };
}

/** The item's path as this person may see it (never the names above a folder shared with them). */
async function locate(ctx: FilesContext, user: UserView, groupIds: string[], space: SpaceRow, node: NodeRow): Promise<{ path: string; folderId: string | null } | null> {
  const ancestry = await ctx.store.ancestry(node.id);
  if (ancestry.some((n) => n.trash_id !== null)) return null;
  const names = (upTo: number) => '/' + ancestry.slice(0, upTo).reverse().map((n) => n.name).join('/');
  if (await canUseSpace(ctx.identity, user, space, groupIds)) {
    // The root (last) has no name.
    return { path: names(ancestry.length - 1), folderId: node.parent_id };
  }
  const shares = await ctx.store.sharesOn(ancestry.map((n) => n.id));
  // The highest shared ancestor is the top of what they can see.
  for (let i = ancestry.length - 1; i >= 0; i--) {
    const mine = shares.filter((s) => s.node_id === ancestry[i]!.id);
    if (roleFromShares(mine, user.id, groupIds)) return { path: names(i + 1), folderId: i === 0 ? null : node.parent_id };
  }
  return null;
}
