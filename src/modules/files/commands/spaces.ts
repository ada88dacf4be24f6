import { now, type Tx } from '../../../platform/db/database.js';
import { ForbiddenError, NotFoundError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { folderRow, newId, type FilesContext } from '../context.js';
import { assertCanUseSpace, authorize, type Access, type FilesAction } from '../policy.js';
import type { NodeRow, SpaceRow } from '../tables.js';

/** Spaces are created on first use: a personal one per person, one per group for its members. */
async function ensureSpace(ctx: FilesContext, kind: SpaceRow['kind'], ownerId: string, name: string): Promise<SpaceRow> {
  const existing = await ctx.store.spaceByOwner(kind, ownerId);
  if (existing) return existing;
  const id = newId();
  const root = folderRow(id, null, '', null);
  await ctx.store.insertSpaceIfAbsent({ id, kind, owner_id: ownerId, name, root_id: root.id, created_at: now(), quota_bytes: null }, root);
  const space = await ctx.store.spaceByOwner(kind, ownerId);
  if (!space) throw new Error('space creation failed');
  return space;
}

export function personalSpace(ctx: FilesContext, user: UserView): Promise<SpaceRow> {
  return ensureSpace(ctx, 'personal', user.id, user.username);
}

/** Every /dav/spaces/<group>/ request resolves this: one lookup by name, however many groups exist. */
export async function groupSpaceByName(ctx: FilesContext, user: UserView, groupName: string): Promise<SpaceRow> {
  const group = await ctx.identity.findGroup(groupName);
  if (!group) throw new NotFoundError(`There is no group named ${groupName}.`);
  if (!(await ctx.identity.groupIdsOf(user.id)).includes(group.id)) throw new ForbiddenError('Only members of this group can use its files.');
  return ensureSpace(ctx, 'group', group.id, group.name);
}

export async function spacesOf(ctx: FilesContext, user: UserView): Promise<SpaceRow[]> {
  const spaces = [await personalSpace(ctx, user)];
  const names = await ctx.identity.groupNames(await ctx.identity.groupIdsOf(user.id));
  const groups = [...names].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [id, name] of groups) spaces.push(await ensureSpace(ctx, 'group', id, name));
  return spaces;
}

/** Every group's space (made on first use), for administrators. */
export async function allGroupSpaces(ctx: FilesContext): Promise<SpaceRow[]> {
  const spaces: SpaceRow[] = [];
  for (const g of await ctx.identity.listGroups()) spaces.push(await ensureSpace(ctx, 'group', g.id, g.name));
  return spaces;
}

export async function spaceFor(ctx: FilesContext, user: UserView, spaceId: string): Promise<SpaceRow> {
  const space = await ctx.store.space(spaceId);
  if (!space) throw new NotFoundError('This space does not exist, or you have no access to it.');
  await assertCanUseSpace(ctx.identity, user, space);
  return space;
}

/** A live node the person may use for `action` (policy.authorize): no access is 404, too little is 403. */
export function liveNodeFor(ctx: FilesContext, user: UserView, nodeId: string, action: FilesAction = 'view'): Promise<Access> {
  return authorize(ctx, user, action, nodeId);
}

/** Quota: personal spaces follow the owner's quotaBytes, group spaces their own (null = unlimited). */
export async function quotaOf(ctx: FilesContext, space: SpaceRow, writer?: UserView): Promise<number | null> {
  if (space.kind !== 'personal') return space.quota_bytes == null ? null : Number(space.quota_bytes);
  // Writing into one's own space: the person's view already holds the quota (one query less per upload).
  if (writer?.id === space.owner_id) return writer.quotaBytes;
  return ctx.identity.quotaBytesOf(space.owner_id);
}

/** Walks a path of already-validated names from the space root; undefined when any is missing. */
export async function resolvePath(ctx: FilesContext, space: SpaceRow, names: string[]): Promise<NodeRow | undefined> {
  return (await resolveWithParent(ctx, space, names)).node;
}

/**
 * The same walk, also returning the folder that holds (or would hold) the last name: a write to a
 * new name needs that folder, and walking once saves a query per level on every WebDAV PUT.
 * `parent` is undefined for the root itself or when a folder on the way is missing.
 */
export async function resolveWithParent(ctx: FilesContext, space: SpaceRow, names: string[]): Promise<{ node: NodeRow | undefined; parent: NodeRow | undefined }> {
  let parent: NodeRow | undefined;
  let node = await ctx.store.node(space.root_id);
  for (const name of names) {
    if (!node || node.kind !== 'folder') return { node: undefined, parent: undefined };
    parent = node;
    node = await ctx.store.liveChild(node.id, name);
  }
  return { node, parent };
}

/** '/a/b' for a live node ('' for the root). */
export async function pathOf(ctx: FilesContext, node: NodeRow, tx?: Tx): Promise<string> {
  const names: string[] = [];
  let current: NodeRow | undefined = node;
  while (current && current.parent_id) {
    names.unshift(current.name);
    current = await ctx.store.node(current.parent_id, tx);
  }
  return names.length ? '/' + names.join('/') : '';
}
