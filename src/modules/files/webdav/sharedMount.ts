import type { UserView } from '../../identity/types.js';
import type { SharedItem } from '../commands/shares.js';
import { nameProblem } from '../names.js';
import type { FilesService } from '../service.js';
import { encodeSegment, pathFromNames, type DavTarget, type SharedTop } from './target.js';

/** One line of /dav/shared/<user>/: an item shared with the person, under a name unique there. */
export interface SharedEntry {
  name: string;
  item: SharedItem;
}

/** Everything shared with the person (service.sharedWithMe), named for the top of their shared mount. */
export async function sharedEntries(service: FilesService, user: UserView): Promise<SharedEntry[]> {
  return uniqueNames(await service.sharedWithMe(user));
}

/**
 * Items keep their own names; when two collide, the later-shared one gets the sharer's name:
 * "Plan (alice).docx", then "Plan (alice 2).docx". Ordered by share time, then id, the answer is the
 * same on every request, and a newly shared item never renames one a sync client already has.
 */
export function uniqueNames(items: SharedItem[]): SharedEntry[] {
  const sorted = [...items].sort((a, b) => a.sharedAt.localeCompare(b.sharedAt) || a.node.id.localeCompare(b.node.id));
  const taken = new Set<string>();
  const out: SharedEntry[] = [];
  for (const item of sorted) {
    // A shared space root has no name of its own: it is shown under its sharer's name.
    const plain = item.node.parent_id ? item.node.name : item.sharedBy.name || 'shared';
    let name = plain;
    for (let n = 1; taken.has(name); n++) name = withSuffix(plain, n === 1 ? item.sharedBy.name : `${item.sharedBy.name} ${n}`, item.node.kind === 'file');
    taken.add(name);
    out.push({ name, item });
  }
  return out;
}

/** "Plan.docx" + "alice" -> "Plan (alice).docx", shortened to stay a valid name. */
function withSuffix(name: string, suffix: string, file: boolean): string {
  const dot = file ? name.lastIndexOf('.') : -1;
  let stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  let candidate = `${stem} (${suffix})${ext}`;
  while (nameProblem(candidate) && stem.length > 1) {
    stem = stem.slice(0, -1);
    candidate = `${stem} (${suffix})${ext}`;
  }
  return candidate;
}

/**
 * /dav/shared/<user>/<entry>/<names...>: the entry's item in its owner's space, with the real path
 * there (so locks and conditions meet those taken through the owner's mount). The top itself, or a
 * name matching no entry, is the virtual SharedTop.
 */
export async function resolveShared(service: FilesService, user: UserView, mount: string, names: string[]): Promise<DavTarget | SharedTop> {
  if (names.length === 0) return { kind: 'sharedTop', mount, names };
  const entry = (await sharedEntries(service, user)).find((e) => e.name === names[0]);
  if (!entry) return { kind: 'sharedTop', mount, names };
  // The policy, not the listing, says whether the person may still see it, and where it lives.
  const { space, node } = await service.authorize(user, 'view', entry.item.node);
  const base = (await service.pathOf(node)) || '/';
  const all = [...(base === '/' ? [] : base.slice(1).split('/')), ...names.slice(1)];
  return { kind: 'shared', space, mount: `${mount}/${encodeSegment(entry.name)}`, base, entryName: entry.name, names: all, path: pathFromNames(all) };
}
