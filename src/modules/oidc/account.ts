import type { Account, AccountClaims } from 'oidc-provider';
import type { IdentityService, UserView } from '../identity/types.js';

/** Scopes this provider knows, and the claims each one releases. */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  profile: ['name', 'preferred_username', 'locale', 'zoneinfo', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
  groups: ['groups'],
};

export const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'groups'];

/**
 * The provider's view of a Tessera person. Disabled or deleted people resolve to no account,
 * so codes, refresh tokens and userinfo stop working for them at once.
 */
export async function findAccount(identity: IdentityService, publicUrl: string, id: string): Promise<Account | undefined> {
  const user = await identity.getUser(id);
  if (!user || user.status !== 'active') return undefined;
  return {
    accountId: user.id,
    claims: async (_use: string, scope: string) => claimsOf(identity, publicUrl, user, scope.split(' ')),
  };
}

async function claimsOf(identity: IdentityService, publicUrl: string, user: UserView, scopes: string[]): Promise<AccountClaims> {
  const claims: AccountClaims = {
    sub: user.id,
    name: user.displayName,
    preferred_username: user.username,
    // Addresses are assigned by administrators (people cannot change their own), so they are vouched for.
    email: user.email,
    email_verified: true,
    updated_at: Math.floor(Date.parse(user.updatedAt) / 1000),
  };
  if (user.language) claims.locale = user.language;
  if (user.timeZone) claims.zoneinfo = user.timeZone;
  if (user.avatarUrl) claims.picture = new URL(user.avatarUrl, publicUrl).href;
  // Group resolution walks nested memberships: only pay for it when the scope asks.
  if (scopes.includes('groups')) claims.groups = await groupNamesOf(identity, user.id);
  return claims;
}

async function groupNamesOf(identity: IdentityService, userId: string): Promise<string[]> {
  const [ids, groups] = await Promise.all([identity.groupIdsOf(userId), identity.listGroups()]);
  const wanted = new Set(ids);
  return groups
    .filter((g) => wanted.has(g.id))
    .map((g) => g.name)
    .sort();
}
