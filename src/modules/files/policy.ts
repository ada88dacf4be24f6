import { NotFoundError } from '../../platform/errors.js';
import type { IdentityService, UserView } from '../identity/types.js';
import type { SpaceRow } from './tables.js';

/**
 * Who may use a space: its owner (personal) or the members of its group, nested groups included.
 * Administrators get no way into other people's files here: that is a deliberate privacy line.
 */
export async function canUseSpace(identity: IdentityService, user: UserView, space: SpaceRow): Promise<boolean> {
  if (user.status !== 'active') return false;
  if (space.kind === 'personal') return space.owner_id === user.id;
  return (await identity.groupIdsOf(user.id)).includes(space.owner_id);
}

/** Answers 404 rather than 403 so that ids of other people's items reveal nothing. */
export async function assertCanUseSpace(identity: IdentityService, user: UserView, space: SpaceRow): Promise<void> {
  if (!(await canUseSpace(identity, user, space))) throw new NotFoundError('This item does not exist, or you have no access to it.');
}
