import type { Platform } from '../../platform/platform.js';
import { IdentityStore } from './store.js';
import { SecretBox } from './secrets.js';
import type { IdentityContext } from './commands/context.js';
import type { IdentityService, NewUser, Actor, AuthContext } from './types.js';
import * as users from './commands/users.js';
import * as groups from './commands/groups.js';
import * as sessions from './commands/sessions.js';
import * as login from './commands/login.js';
import * as mfa from './commands/mfa.js';
import * as totp from './commands/totp.js';
import * as recovery from './commands/recoveryCodes.js';
import * as webauthn from './commands/webauthn.js';
import * as appPasswords from './commands/appPasswords.js';
import * as setup from './commands/setup.js';
import * as profile from './commands/profile.js';
import * as lockouts from './commands/lockouts.js';
import { userView, userViews } from './commands/views.js';
import { VerifiedAppPasswords } from './commands/verifiedCache.js';

export function createIdentityContext(platform: Platform): IdentityContext {
  return { platform, store: new IdentityStore(platform.database), box: new SecretBox(platform.secret), verified: new VerifiedAppPasswords() };
}

/**
 * The identity service: the contract other modules use (IdentityService) plus the operations
 * identity's own REST routes need. Each operation lives in commands/.
 */
export function createIdentityService(ctx: IdentityContext) {
  const contract: IdentityService = {
    async getUser(id) {
      const row = await ctx.store.userById(id);
      return row ? userView(ctx, row) : null;
    },
    async quotaBytesOf(id) {
      const row = await ctx.store.userById(id);
      return row?.quota_bytes == null ? null : Number(row.quota_bytes);
    },
    async findUser(loginName) {
      const row = await ctx.store.userByLogin(loginName);
      return row ? userView(ctx, row) : null;
    },
    listUsers: (q) => users.listUsers(ctx, q),
    createUser: (input: NewUser, actor: Actor) => users.createUser(ctx, input, actor),
    disableUser: (id, actor) => users.setStatus(ctx, id, 'disabled', actor),
    enableUser: (id, actor) => users.setStatus(ctx, id, 'active', actor),
    deleteUser: (id, actor) => users.deleteUser(ctx, id, actor),
    resetPassword: (id, password, actor) => users.resetPassword(ctx, id, password, actor),
    listGroups: () => groups.listGroups(ctx),
    async findGroup(name) {
      const row = await ctx.store.groupByName(name);
      return row ? { id: row.id, name: row.name } : null;
    },
    groupNames: (ids) => ctx.store.namesOf('group', [...new Set(ids)]),
    peopleNames: (ids) => ctx.store.peopleNames([...new Set(ids)]),
    createGroup: (input, actor) => groups.createGroup(ctx, input, actor),
    addGroupMember: (groupId, member, actor) => groups.addGroupMember(ctx, groupId, member, actor),
    removeGroupMember: (groupId, member, actor) => groups.removeGroupMember(ctx, groupId, member, actor),
    groupIdsOf: (userId) => groups.groupIdsOf(ctx, userId),
    verifyAppPassword: (loginName, password, ip) => appPasswords.verifyAppPassword(ctx, loginName, password, ip),
    async userForSessionToken(token): Promise<AuthContext | null> {
      return (await sessions.resolveSession(ctx, token))?.auth ?? null;
    },
    countUsers: () => ctx.store.countUsers(),
  };
  return {
    ...contract,
    userViews: (rows: Parameters<typeof userViews>[1]) => userViews(ctx, rows),
    // users (admin)
    updateUser: (id: string, patch: users.UserPatch, actor: Actor) => users.updateUser(ctx, id, patch, actor),
    async userDetail(id: string) {
      const row = await users.requireUserRow(ctx, id);
      const [view] = await userViews(ctx, [row]);
      return { ...view!, groups: await groups.groupsOfUser(ctx, id), lastLoginAt: row.last_login_at };
    },
    unlockUser: (id: string, actor: Actor) => lockouts.unlockUser(ctx, id, actor),
    listLockouts: () => lockouts.listLockouts(ctx),
    liftLockout: (key: string, actor: Actor) => lockouts.liftLockout(ctx, key, actor),
    // groups (admin)
    groupDetail: (id: string) => groups.groupDetail(ctx, id),
    updateGroup: (id: string, patch: Parameters<typeof groups.updateGroup>[2], actor: Actor) => groups.updateGroup(ctx, id, patch, actor),
    deleteGroup: (id: string, actor: Actor) => groups.deleteGroup(ctx, id, actor),
    // sign-in and sessions
    login: (input: { login: string; password: string }, meta: login.RequestMeta, previousToken?: string) => login.login(ctx, input, meta, previousToken),
    resolveSession: (token: string) => sessions.resolveSession(ctx, token),
    mfaMethodsOf: (user: Parameters<typeof login.mfaMethodsOf>[1]) => login.mfaMethodsOf(ctx, user),
    verifyTotpStep: (auth: AuthContext, code: string, meta: login.RequestMeta) => mfa.verifyTotpStep(ctx, auth, code, meta),
    verifyRecoveryStep: (auth: AuthContext, code: string, meta: login.RequestMeta) => mfa.verifyRecoveryStep(ctx, auth, code, meta),
    webauthnLoginOptions: (auth: AuthContext) => webauthn.authenticationOptions(ctx, auth),
    webauthnLoginVerify: (auth: AuthContext, response: Parameters<typeof webauthn.verifyAuthentication>[2], meta: login.RequestMeta) =>
      webauthn.verifyAuthentication(ctx, auth, response, meta),
    endSession: (sessionId: string, actor: Actor) => sessions.endSession(ctx, sessionId, actor),
    endAllSessions: (userId: string, actor: Actor) => sessions.endAllSessions(ctx, userId, actor),
    listOwnSessions: (userId: string, currentId: string | undefined) => sessions.listOwnSessions(ctx, userId, currentId),
    revokeOwnSession: (userId: string, sessionId: string, actor: Actor) => sessions.revokeOwnSession(ctx, userId, sessionId, actor),
    listAllSessions: () => sessions.listAllSessions(ctx),
    adminRevokeSession: (sessionId: string, actor: Actor) => sessions.adminRevokeSession(ctx, sessionId, actor),
    pruneSessions: () => sessions.pruneSessions(ctx),
    // the signed-in person
    updateOwnProfile: (userId: string, patch: Parameters<typeof profile.updateOwnProfile>[2], actor: Actor) => profile.updateOwnProfile(ctx, userId, patch, actor),
    changePassword: (userId: string, sessionId: string | undefined, current: string, next: string, actor: Actor) =>
      profile.changePassword(ctx, userId, sessionId, current, next, actor),
    setAvatar: (userId: string, body: Buffer, actor: Actor) => profile.setAvatar(ctx, userId, body, actor),
    removeAvatar: (userId: string, actor: Actor) => profile.removeAvatar(ctx, userId, actor),
    readAvatar: (userId: string) => profile.readAvatar(ctx, userId),
    setupTotp: (userId: string) => totp.setupTotp(ctx, userId),
    enableTotp: (userId: string, code: string, actor: Actor) => totp.enableTotp(ctx, userId, code, actor),
    disableTotp: (userId: string, password: string, actor: Actor) => totp.disableTotp(ctx, userId, password, actor),
    regenerateRecoveryCodes: (userId: string, password: string, actor: Actor) => recovery.regenerateRecoveryCodes(ctx, userId, password, actor),
    webauthnRegisterOptions: (auth: AuthContext) => webauthn.registrationOptions(ctx, auth),
    webauthnRegisterVerify: (auth: AuthContext, name: string, response: Parameters<typeof webauthn.verifyRegistration>[3], actor: Actor) =>
      webauthn.verifyRegistration(ctx, auth, name, response, actor),
    listCredentials: (userId: string) => webauthn.listCredentials(ctx, userId),
    removeCredential: (userId: string, id: string, actor: Actor) => webauthn.removeCredential(ctx, userId, id, actor),
    listAppPasswords: (userId: string) => appPasswords.listAppPasswords(ctx, userId),
    createAppPassword: (userId: string, name: string, actor: Actor) => appPasswords.createAppPassword(ctx, userId, name, actor),
    deleteAppPassword: (userId: string, id: string, actor: Actor) => appPasswords.deleteAppPassword(ctx, userId, id, actor),
    // first run
    setupNeeded: () => setup.setupNeeded(ctx),
    createSetupToken: () => setup.createSetupToken(ctx),
    completeSetup: (input: Parameters<typeof setup.completeSetup>[1], meta: login.RequestMeta) => setup.completeSetup(ctx, input, meta),
  };
}

export type FullIdentityService = ReturnType<typeof createIdentityService>;
