import { randomUUID } from 'node:crypto';
import { now } from '../../../platform/db/database.js';
import { NotFoundError, TooManyRequestsError } from '../../../platform/errors.js';
import { readableSecret, sha256Hex } from '../../../platform/crypto/tokens.js';
import { verifyPassword } from '../passwords.js';
import { presentAppPassword, type AppPasswordView } from '../presenters.js';
import type { Actor, UserView } from '../types.js';
import { accountKey, clearFailures, forgetLocked, ipKey, lockoutState, recordFailure, reserveAttempt } from './bruteForce.js';
import { auditBy, type IdentityContext } from './context.js';
import { forgetVerified } from './verifiedCache.js';
import { hasSecondFactor, userView } from './views.js';

// Written at most once a minute per app password: IMAP clients authenticate on every connection.
const TOUCH_INTERVAL_MS = 60_000;

/** ~238 random bits: SHA-256 is enough for a secret nobody can guess, and fast for IMAP. */
export async function createAppPassword(ctx: IdentityContext, userId: string, name: string, actor: Actor): Promise<AppPasswordView & { password: string }> {
  const password = readableSecret();
  const row = { id: randomUUID(), user_id: userId, name, secret_hash: sha256Hex(password), created_at: now(), last_used_at: null };
  await ctx.store.transaction(async (tx) => {
    await ctx.store.insertAppPassword(row, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'app_password.create', target: { type: 'user', id: userId }, details: { appPassword: row.id, name } }), tx);
  });
  return { ...presentAppPassword(row), password };
}

export async function listAppPasswords(ctx: IdentityContext, userId: string): Promise<AppPasswordView[]> {
  return (await ctx.store.appPasswordsOf(userId)).map(presentAppPassword);
}

export async function deleteAppPassword(ctx: IdentityContext, userId: string, id: string, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const removed = await ctx.store.deleteAppPassword(userId, id, tx);
    if (!removed) throw new NotFoundError('This app password does not exist (any more).');
    await ctx.platform.audit.append(auditBy(actor, { action: 'app_password.delete', target: { type: 'user', id: userId }, details: { appPassword: id, name: removed.name } }), tx);
  });
  await forgetVerified(ctx, { userId });
}

/**
 * For protocol clients. The account password is accepted only for people without a second
 * factor (docs/api.md); a locked account or address gets null like a wrong password. A verified app
 * password is remembered for a short while (commands/verifiedCache.ts): WebDAV clients send it with
 * every request. Only successes are remembered, so every refusal still takes the full path below.
 */
export async function verifyAppPassword(ctx: IdentityContext, login: string, password: string, ip: string): Promise<UserView | null> {
  if (login.length > 254 || password.length > 1000 || login.includes('\u0000')) return null;
  const cacheKey = ctx.verified.keyOf(login, password, ip);
  const hit = ctx.verified.get(cacheKey);
  if (hit) {
    if (Date.now() - hit.touchedAt > TOUCH_INTERVAL_MS) {
      hit.touchedAt = Date.now();
      await ctx.store.touchAppPassword(hit.appPasswordId, now());
    }
    return { ...hit.view };
  }
  // Read before the database: a result read before a revocation committed must not be stored after it.
  const epoch = ctx.verified.epoch;
  const row = await ctx.store.userByLogin(login);
  const keys = [ipKey(ip), ...(row ? [accountKey(row.id)] : [])];
  const lockouts = await lockoutState(ctx, keys);
  if (lockouts.retryAfterSeconds > 0) return null;
  let ok = false;
  let touchedAt = 0;
  const active = row !== undefined && row.status === 'active';
  const app = active ? await ctx.store.appPasswordByHash(row.id, sha256Hex(password)) : undefined;
  if (app) {
    ok = true;
    touchedAt = app.last_used_at ? Date.parse(app.last_used_at) : 0;
    if (Date.now() - touchedAt > TOUCH_INTERVAL_MS) {
      touchedAt = Date.now();
      await ctx.store.touchAppPassword(app.id, now());
    }
  } else {
    // Every refusal costs one Argon2 verification (against a dummy hash when the account password
    // may not be used), so timing does not tell which logins exist, are disabled or have 2FA.
    if (row) {
      // Counted before the check (cleared on success) so parallel guesses cannot pass a lock together.
      try {
        await reserveAttempt(ctx, accountKey(row.id));
      } catch (e) {
        if (e instanceof TooManyRequestsError) return null;
        throw e;
      }
    }
    const view = active ? await userView(ctx, row) : undefined;
    const accountPasswordAllowed = view !== undefined && !hasSecondFactor(view) && !view.mfaRequired;
    const matches = await verifyPassword(accountPasswordAllowed ? row!.password_hash : null, password);
    ok = accountPasswordAllowed && matches;
  }
  if (!ok) {
    const ipLocked = await ctx.store.transaction(async (tx) => {
      const locked = await recordFailure(ctx, ipKey(ip), tx);
      await ctx.platform.audit.append(
        { action: 'auth.app_password', actor: { id: row?.id ?? null, name: row?.username ?? login.slice(0, 100) }, ip, outcome: 'failure', details: { reason: !row ? 'unknown_user' : row.status !== 'active' ? 'disabled' : 'wrong_password' } },
        tx,
      );
      return locked;
    });
    if (ipLocked) await forgetLocked(ctx, ipKey(ip));
    return null;
  }
  // A reserved attempt (account-password path) or earlier failures are cleared; otherwise there is nothing to write.
  if (!app || lockouts.counted.has(accountKey(row!.id))) await clearFailures(ctx, accountKey(row!.id));
  const view = await userView(ctx, row!);
  // The account password (people without 2FA) is not remembered: it keeps its Argon2 cost per request.
  if (app) ctx.verified.set(cacheKey, { userId: row!.id, ip, appPasswordId: app.id, touchedAt, view }, epoch);
  return { ...view };
}
