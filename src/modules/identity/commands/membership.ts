import type { Tx } from '../../../platform/db/database.js';
import type { IdentityStore } from '../store.js';

/** Parent groups of each group, from the group-in-group edges. */
function parentsMap(edges: { group_id: string; member_id: string }[]): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const e of edges) {
    const list = parents.get(e.member_id) ?? [];
    list.push(e.group_id);
    parents.set(e.member_id, list);
  }
  return parents;
}

function closure(start: Iterable<string>, parents: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length) {
    const g = queue.pop()!;
    if (seen.has(g)) continue;
    seen.add(g);
    for (const p of parents.get(g) ?? []) if (!seen.has(p)) queue.push(p);
  }
  return seen;
}

/** Every group each user belongs to, directly or through nested groups. */
export async function effectiveGroups(store: IdentityStore, userIds: string[], tx?: Tx): Promise<Map<string, Set<string>>> {
  const [edges, direct] = await Promise.all([store.groupEdges(tx), store.userMemberships(userIds, tx)]);
  const parents = parentsMap(edges);
  const byUser = new Map<string, string[]>();
  for (const m of direct) byUser.set(m.member_id, [...(byUser.get(m.member_id) ?? []), m.group_id]);
  const result = new Map<string, Set<string>>();
  for (const id of userIds) result.set(id, closure(byUser.get(id) ?? [], parents));
  return result;
}

/** True when putting group `child` into group `parent` would make a group contain itself. */
export async function wouldCycle(store: IdentityStore, parent: string, child: string, tx?: Tx): Promise<boolean> {
  if (parent === child) return true;
  const ancestorsOfParent = closure([parent], parentsMap(await store.groupEdges(tx)));
  return ancestorsOfParent.has(child);
}

/** Which of the users must have a second factor because a group they belong to demands it. */
export async function mfaRequiredFor(store: IdentityStore, userIds: string[], tx?: Tx): Promise<Map<string, boolean>> {
  const [groups, requiring] = await Promise.all([effectiveGroups(store, userIds, tx), store.groupsRequiring2fa(tx)]);
  const result = new Map<string, boolean>();
  for (const [id, set] of groups) result.set(id, [...set].some((g) => requiring.has(g)));
  return result;
}
