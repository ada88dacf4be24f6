import { ForbiddenError } from '../../platform/errors.js';
import type { UserView } from '../identity/types.js';

/** Who may do what with the OIDC provider; every adapter asks here. */
export const oidcPolicy = {
  /** Registering apps hands out sign-in for every person: administrators only. */
  assertCanManageClients(user: UserView): void {
    if (!user.isAdmin) throw new ForbiddenError('Only administrators can register or change OpenID Connect apps.');
  },

  /** Consent belongs to the person who signed in for this authorization request. */
  assertOwnsInteraction(user: UserView, interactionAccountId: string | undefined): void {
    if (!interactionAccountId || interactionAccountId !== user.id) {
      throw new ForbiddenError('This sign-in request belongs to another account. Start again from the app.', 'interaction_mismatch');
    }
  },

  canSignIn(user: UserView): boolean {
    return user.status === 'active';
  },
};
