import { now } from '../../../platform/db/database.js';
import { UnauthenticatedError } from '../../../platform/errors.js';
import type { AuthContext, UserView } from '../types.js';
import { accountKey, assertNotLocked, clearFailures, forgetLocked, ipKey, recordFailure, reserveAttempt } from './bruteForce.js';
import type { IdentityContext } from './context.js';
import type { RequestMeta } from './login.js';
import { normalizeRecoveryCode } from './recoveryCodes.js';
import { consumeTotp, invalidCode } from './totp.js';
import { requireUserRow } from './users.js';
import { userView } from './views.js';

/** The second step of sign-in; guesses count toward the same lockouts as passwords. */
function pendingSession(auth: AuthContext): string {
  if (!auth.sessionId || !auth.mfaPending) throw new UnauthenticatedError('Sign in with your password first.', 'unauthenticated');
  return auth.sessionId;
}

async function fail(ctx: IdentityContext, auth: AuthContext, meta: RequestMeta, method: string): Promise<never> {
  const locked = await ctx.store.transaction(async (tx) => {
    // The account's failure was counted by `reserveAttempt` before the factor was checked.
    const ipLocked = await recordFailure(ctx, ipKey(meta.ip), tx);
    await ctx.platform.audit.append(
      { action: 'auth.mfa', actor: { id: auth.user.id, name: auth.user.username }, ip: meta.ip, outcome: 'failure', target: { type: 'user', id: auth.user.id }, details: { method } },
      tx,
    );
    return ipLocked;
  });
  if (locked) await forgetLocked(ctx, ipKey(meta.ip));
  throw invalidCode();
}

export async function completeMfa(ctx: IdentityContext, auth: AuthContext, meta: RequestMeta, method: string, extra: Record<string, unknown> = {}): Promise<UserView> {
  const sessionId = pendingSession(auth);
  await ctx.store.transaction(async (tx) => {
    await ctx.store.updateSession(sessionId, { mfa_pending: 0, challenge: null, challenge_at: null, last_seen_at: now() }, tx);
    await clearFailures(ctx, accountKey(auth.user.id), tx);
    await ctx.platform.audit.append(
      { action: 'auth.mfa', actor: { id: auth.user.id, name: auth.user.username }, ip: meta.ip, outcome: 'success', target: { type: 'user', id: auth.user.id }, details: { method, ...extra } },
      tx,
    );
  });
  return userView(ctx, await requireUserRow(ctx, auth.user.id));
}

export async function verifyTotpStep(ctx: IdentityContext, auth: AuthContext, code: string, meta: RequestMeta): Promise<UserView> {
  pendingSession(auth);
  await assertNotLocked(ctx, [ipKey(meta.ip)]);
  await reserveAttempt(ctx, accountKey(auth.user.id));
  const row = await requireUserRow(ctx, auth.user.id);
  if (!(await consumeTotp(ctx, row, code))) return fail(ctx, auth, meta, 'totp');
  return completeMfa(ctx, auth, meta, 'totp');
}

export async function verifyRecoveryStep(ctx: IdentityContext, auth: AuthContext, code: string, meta: RequestMeta): Promise<{ user: UserView; remainingRecoveryCodes: number }> {
  pendingSession(auth);
  await assertNotLocked(ctx, [ipKey(meta.ip)]);
  await reserveAttempt(ctx, accountKey(auth.user.id));
  const used = await ctx.store.useRecoveryCode(auth.user.id, ctx.box.mac(normalizeRecoveryCode(code)), now());
  if (!used) return fail(ctx, auth, meta, 'recovery');
  const remainingRecoveryCodes = await ctx.store.countUnusedRecoveryCodes(auth.user.id);
  const user = await completeMfa(ctx, auth, meta, 'recovery', { remainingRecoveryCodes });
  return { user, remainingRecoveryCodes };
}

export { fail as failMfa };
