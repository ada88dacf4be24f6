import { now } from '../../../platform/db/database.js';
import { UnauthenticatedError } from '../../../platform/errors.js';
import { sha256Hex } from '../../../platform/crypto/tokens.js';
import { verifyPassword } from '../passwords.js';
import type { UserView } from '../types.js';
import { accountKey, assertNotLocked, clearFailures, forgetLocked, ipKey, loginKey, recordFailure, reserveAttempt } from './bruteForce.js';
import type { IdentityContext } from './context.js';
import { createSession } from './sessions.js';
import { hasSecondFactor, userView } from './views.js';

export type MfaMethod = 'totp' | 'webauthn' | 'recovery';

export interface LoginResult {
  status: 'ok' | 'mfa_required' | 'enrollment_required';
  user: UserView;
  csrfToken: string;
  mfaMethods?: MfaMethod[];
  /** The cookie value; never part of the JSON answer. */
  token: string;
}

export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

export async function mfaMethodsOf(ctx: IdentityContext, user: UserView): Promise<MfaMethod[]> {
  const methods: MfaMethod[] = [];
  if (user.totpEnabled) methods.push('totp');
  if (user.webauthnCount > 0) methods.push('webauthn');
  if ((await ctx.store.countUnusedRecoveryCodes(user.id)) > 0) methods.push('recovery');
  return methods;
}

/**
 * Password step of sign-in. A person with a second factor gets a session that can only finish
 * sign-in; `previousToken` (a cookie sent along) is ended so a planted session cannot be reused.
 */
export async function login(ctx: IdentityContext, input: { login: string; password: string }, meta: RequestMeta, previousToken?: string): Promise<LoginResult> {
  const row = await ctx.store.userByLogin(input.login);
  const account = row ? accountKey(row.id) : loginKey(input.login);
  await assertNotLocked(ctx, [ipKey(meta.ip)]);
  // Counted before the password is checked (and cleared on success), so parallel guesses queue on the lock.
  await reserveAttempt(ctx, account);
  const ok = await verifyPassword(row?.password_hash ?? null, input.password);
  const actor = { id: row?.id ?? null, name: row?.username ?? input.login.slice(0, 100) };
  if (!ok) {
    const locked = await ctx.store.transaction(async (tx) => {
      const ipLocked = await recordFailure(ctx, ipKey(meta.ip), tx);
      await ctx.platform.audit.append(
        { action: 'auth.login', actor, ip: meta.ip, outcome: 'failure', target: row ? { type: 'user', id: row.id } : null, details: { reason: row ? 'wrong_password' : 'unknown_user', login: input.login.slice(0, 100) } },
        tx,
      );
      return ipLocked;
    });
    if (locked) await forgetLocked(ctx, ipKey(meta.ip));
    throw new UnauthenticatedError('The username, e-mail address or password is wrong.', 'invalid_credentials');
  }
  if (row!.status !== 'active') {
    // The password was right: this is no guess to hold against the account.
    await clearFailures(ctx, account);
    await ctx.platform.audit.append({ action: 'auth.login', actor, ip: meta.ip, outcome: 'failure', target: { type: 'user', id: row!.id }, details: { reason: 'disabled' } });
    throw new UnauthenticatedError('This account is disabled. Ask an administrator to enable it.', 'account_disabled');
  }
  const user = await userView(ctx, row!);
  const needsMfa = hasSecondFactor(user);
  const session = await ctx.store.transaction(async (tx) => {
    await clearFailures(ctx, account, tx);
    if (previousToken) {
      const old = await ctx.store.sessionByTokenHash(sha256Hex(previousToken), tx);
      if (old) await ctx.store.deleteSession(old.id, tx);
    }
    const s = await createSession(ctx, user.id, { mfaPending: needsMfa, ip: meta.ip, userAgent: meta.userAgent }, tx);
    await ctx.store.updateUser(user.id, { last_login_at: now() }, tx);
    await ctx.platform.audit.append(
      { action: 'auth.login', actor, ip: meta.ip, outcome: 'success', target: { type: 'user', id: user.id }, details: { secondFactor: needsMfa ? 'pending' : 'none' } },
      tx,
    );
    return s;
  });
  const status = needsMfa ? 'mfa_required' : user.mfaRequired ? 'enrollment_required' : 'ok';
  return {
    status,
    user,
    csrfToken: session.row.csrf_token,
    token: session.token,
    ...(needsMfa ? { mfaMethods: await mfaMethodsOf(ctx, user) } : {}),
  };
}
