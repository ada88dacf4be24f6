import { authenticator } from 'otplib';
import QRCode from 'qrcode';
import { AppError, ConflictError, ForbiddenError, UnauthenticatedError } from '../../../platform/errors.js';
import { now } from '../../../platform/db/database.js';
import { verifyPassword } from '../passwords.js';
import type { UserRow } from '../tables.js';
import type { Actor } from '../types.js';
import { accountKey, assertNotLocked, clearFailures, forgetLocked, ipKey, recordFailure, reserveAttempt } from './bruteForce.js';
import { auditBy, type IdentityContext } from './context.js';
import { forgetVerified } from './verifiedCache.js';
import { newRecoveryCodes } from './recoveryCodes.js';
import { requireUserRow } from './users.js';
import { userView } from './views.js';

// 30-second steps; one step either side tolerates clock drift between phone and server.
const totp = authenticator.clone({ step: 30, window: 1 });
const STEP_MS = 30_000;

/** The time step `code` belongs to, or null when it is not valid now. */
export function matchTotp(secret: string, code: string): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp.checkDelta(code, secret);
  if (delta === null) return null;
  return Math.floor(Date.now() / STEP_MS) + delta;
}

/**
 * Checks a code for sign-in or step-up and records its step, so the same code cannot be
 * replayed within its window (also not by a racing request).
 */
export async function consumeTotp(ctx: IdentityContext, row: UserRow, code: string): Promise<boolean> {
  if (!row.totp_secret) return false;
  const step = matchTotp(ctx.box.open(row.totp_secret), code);
  if (step === null) return false;
  return ctx.store.advanceTotpStep(row.id, step);
}

/**
 * A password confirming an action. Wrong guesses count toward the same lockouts as sign-in and
 * are audited: a borrowed or stolen session must not become an unlimited password oracle.
 */
export async function assertPassword(ctx: IdentityContext, row: UserRow, password: string, actor: Actor): Promise<void> {
  const ip = actor.ip ? ipKey(actor.ip) : null;
  if (ip) await assertNotLocked(ctx, [ip]);
  await reserveAttempt(ctx, accountKey(row.id));
  if (await verifyPassword(row.password_hash, password)) {
    await clearFailures(ctx, accountKey(row.id));
    return;
  }
  const locked = await ctx.store.transaction(async (tx) => {
    const ipLocked = ip ? await recordFailure(ctx, ip, tx) : false;
    await ctx.platform.audit.append(auditBy(actor, { action: 'auth.password_confirm', outcome: 'failure', target: { type: 'user', id: row.id }, details: { reason: 'wrong_password' } }), tx);
    return ipLocked;
  });
  if (locked && ip) await forgetLocked(ctx, ip);
  throw new ForbiddenError('The password is wrong.', 'invalid_password');
}

export async function setupTotp(ctx: IdentityContext, userId: string): Promise<{ secret: string; otpauthUrl: string; qrSvg: string }> {
  const row = await requireUserRow(ctx, userId);
  if (row.totp_secret) throw new ConflictError('An authenticator app is already set up. Remove it first to set up another.', 'totp_enabled');
  const secret = totp.generateSecret(20);
  const issuer = new URL(ctx.platform.config.publicUrl).hostname === 'localhost' ? 'Tessera' : `Tessera (${new URL(ctx.platform.config.publicUrl).hostname})`;
  const otpauthUrl = totp.keyuri(row.username, issuer, secret);
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  await ctx.store.updateUser(userId, { totp_pending_secret: ctx.box.seal(secret) });
  return { secret, otpauthUrl, qrSvg };
}

export async function enableTotp(ctx: IdentityContext, userId: string, code: string, actor: Actor): Promise<{ recoveryCodes: string[] }> {
  const row = await requireUserRow(ctx, userId);
  if (row.totp_secret) throw new ConflictError('An authenticator app is already set up.', 'totp_enabled');
  if (!row.totp_pending_secret) throw new ConflictError('Start the set-up first (POST /api/me/totp/setup).', 'totp_not_started');
  const step = matchTotp(ctx.box.open(row.totp_pending_secret), code);
  // 400 rather than 401: the session is fine, only the code is wrong.
  if (step === null) throw new AppError(400, 'invalid_code', 'The code is wrong or has expired. Enter the code your app shows now.');
  const result = await ctx.store.transaction(async (tx) => {
    await ctx.store.updateUser(userId, { totp_secret: row.totp_pending_secret, totp_pending_secret: null, totp_last_step: step, updated_at: now() }, tx);
    const recoveryCodes = await newRecoveryCodes(ctx, userId, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'mfa.totp.enable', target: { type: 'user', id: userId } }), tx);
    return { recoveryCodes };
  });
  await forgetVerified(ctx, { userId });
  return result;
}

export async function disableTotp(ctx: IdentityContext, userId: string, password: string, actor: Actor): Promise<void> {
  const row = await requireUserRow(ctx, userId);
  await assertPassword(ctx, row, password, actor);
  if (!row.totp_secret) return;
  const view = await userView(ctx, row);
  if (view.mfaRequired && view.webauthnCount === 0) {
    throw new ConflictError('A group you belong to requires two-factor authentication. Add a security key before removing the authenticator app.', 'mfa_required');
  }
  await ctx.store.transaction(async (tx) => {
    await ctx.store.updateUser(userId, { totp_secret: null, totp_pending_secret: null, totp_last_step: null, updated_at: now() }, tx);
    // Recovery codes stand in for a second factor; with none left they would be a bypass of nothing.
    if (view.webauthnCount === 0) await ctx.store.replaceRecoveryCodes(userId, [], tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'mfa.totp.disable', target: { type: 'user', id: userId } }), tx);
  });
  await forgetVerified(ctx, { userId });
}

export function invalidCode(): UnauthenticatedError {
  return new UnauthenticatedError('The code is wrong or was used already.', 'invalid_code');
}
