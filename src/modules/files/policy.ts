import { ForbiddenError, NotFoundError } from '../../platform/errors.js';
import type { IdentityService, UserView } from '../identity/types.js';
import type { FilesStore } from './store.js';
import type { NodeRow, ShareRow, SpaceRow } from './tables.js';

/**
 * What one may do with an item:
 * - `view`: see, list, download;
 * - `edit`: also upload, create, rename, move, copy into, delete, restore a version;
 * - `share`: also manage its shares and public links (the space's people only, not share holders).
 */
export type FilesAction = 'view' | 'edit' | 'share';

/** `space`: the person's own space or a group space they belong to; else the best share reaching the item. */
export type FilesRole = 'space' | ShareRow['role'];

export interface Access {
  space: SpaceRow;
  node: NodeRow;
  role: FilesRole;
}

export interface PolicyDeps {
  identity: IdentityService;
  store: FilesStore;
}

const NOT_FOUND = 'This item does not exist, or you have no access to it.';

/**
 * Who may use a space: its owner (personal) or the members of its group, nested groups included.
 * Administrators get no way into other people's files here: that is a deliberate privacy line.
 */
export async function canUseSpace(identity: IdentityService, user: UserView, space: SpaceRow, groupIds?: string[]): Promise<boolean> {
  if (user.status !== 'active') return false;
  if (space.kind === 'personal') return space.owner_id === user.id;
  return (groupIds ?? (await identity.groupIdsOf(user.id))).includes(space.owner_id);
}

/** Answers 404 rather than 403 so that ids of other people's items reveal nothing. */
export async function assertCanUseSpace(identity: IdentityService, user: UserView, space: SpaceRow): Promise<void> {
  if (!(await canUseSpace(identity, user, space))) throw new NotFoundError(NOT_FOUND);
}

/** The role a share list gives this person: the strongest of the shares to them or their groups. */
export function roleFromShares(shares: ShareRow[], userId: string, groupIds: string[]): ShareRow['role'] | null {
  let role: ShareRow['role'] | null = null;
  for (const s of shares) {
    const mine = s.grantee_type === 'user' ? s.grantee_id === userId : groupIds.includes(s.grantee_id);
    if (!mine) continue;
    if (s.role === 'edit') return 'edit';
    role = 'view';
  }
  return role;
}

/**
 * The one place that decides access to an item, for every adapter (REST, WebDAV, links).
 * No access at all is 404 (ids reveal nothing); access too weak for the action is 403.
 */
export async function authorize(deps: PolicyDeps, user: UserView, action: FilesAction, nodeOrId: NodeRow | string, knownSpace?: SpaceRow): Promise<Access> {
  const node = typeof nodeOrId === 'string' ? await deps.store.node(nodeOrId) : nodeOrId;
  if (!node || node.trash_id !== null || user.status !== 'active') throw new NotFoundError(NOT_FOUND);
  const space = knownSpace?.id === node.space_id ? knownSpace : await deps.store.space(node.space_id);
  if (!space) throw new NotFoundError(NOT_FOUND);
  // The common case first, without a group lookup: one's own personal space.
  if (space.kind === 'personal' && space.owner_id === user.id) return { space, node, role: 'space' };
  const groupIds = await deps.identity.groupIdsOf(user.id);
  if (await canUseSpace(deps.identity, user, space, groupIds)) return { space, node, role: 'space' };
  const ancestry = await deps.store.ancestry(node.id);
  const role = roleFromShares(await deps.store.sharesOn(ancestry.map((n) => n.id)), user.id, groupIds);
  if (!role) throw new NotFoundError(NOT_FOUND);
  if (action === 'share') throw new ForbiddenError('Only the people of this space can share this item.', 'not_owner');
  if (action === 'edit' && role !== 'edit') throw new ForbiddenError('This item is shared with you to view only.', 'read_only');
  return { space, node, role };
}
