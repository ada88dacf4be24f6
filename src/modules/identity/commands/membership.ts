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
  const result = new Map<string, Set<string>>();
  for (const id of userIds) result.set(id, new Set());
  for (const m of await store.effectiveMemberships(userIds, tx)) result.get(m.user_id)?.add(m.group_id);
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
  const requiring = await store.usersRequiring2fa(userIds, tx);
  return new Map(userIds.map((id) => [id, requiring.has(id)]));
}
