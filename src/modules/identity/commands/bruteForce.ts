import type { Tx } from '../../../platform/db/database.js';
import { TooManyRequestsError } from '../../../platform/errors.js';
import type { IdentityContext } from './context.js';
import { forgetVerified } from './verifiedCache.js';

/**
 * docs/api.md: 5 failures for one account lock it for 1 minute, doubling per further failure up
 * to 1 hour; 30 failures from one address in 15 minutes lock it for 15 minutes. Counters live in
 * the database so every Tessera process sees the same ones.
 */
const ACCOUNT_THRESHOLD = 5;
const ACCOUNT_BASE_SECONDS = 60;
const ACCOUNT_MAX_SECONDS = 3600;
// Old failures stop counting after a quiet day, so a typo a month ago does not shorten the fuse.
const ACCOUNT_FORGET_MS = 24 * 3600_000;
const IP_THRESHOLD = 30;
const IP_WINDOW_MS = 15 * 60_000;
const IP_LOCK_SECONDS = 15 * 60;

export function accountKey(userId: string): string {
  return `account:${userId}`;
}

/** Unknown logins are counted too, so locking behaves the same whether the account exists or not. */
export function loginKey(login: string): string {
  return `login:${login.toLowerCase()}`;
}

export function ipKey(ip: string): string {
  return `ip:${ip}`;
}

export async function assertNotLocked(ctx: IdentityContext, keys: string[]): Promise<void> {
  const { retryAfterSeconds: retry } = await lockoutState(ctx, keys);
  if (retry > 0) {
    throw new TooManyRequestsError(`Too many failed sign-in attempts. Wait ${retry} seconds and try again, or ask an administrator to unlock the account.`, retry);
  }
}

/**
 * Which of `keys` are locked (the longest wait) and which have a counter row at all, so a success
 * only pays for clearing a counter that exists (protocol clients authenticate on every request).
 */
export async function lockoutState(ctx: IdentityContext, keys: string[]): Promise<{ retryAfterSeconds: number; counted: Set<string> }> {
  const t = Date.now();
  let retry = 0;
  const counted = new Set<string>();
  for (const row of await ctx.store.lockouts(keys)) {
    counted.add(row.key);
    if (row.locked_until && Date.parse(row.locked_until) > t) retry = Math.max(retry, Math.ceil((Date.parse(row.locked_until) - t) / 1000));
  }
  return { retryAfterSeconds: retry, counted };
}

/**
 * Counts a failure on `key` (an address, in practice: account keys go through `reserveAttempt`).
 * Returns true when the key is locked now; the caller then calls `forgetLocked` once its transaction
 * committed, so verified app passwords from a locked address stop working as they did before caching.
 */
export async function recordFailure(ctx: IdentityContext, key: string, tx?: Tx): Promise<boolean> {
  return countFailure(ctx, key, false, tx);
}

/**
 * Drops the verified app passwords a failure on `key` concerns: an account's on every failure (a
 * success must pass through the database again to clear the counter, and a lock must refuse it), an
 * address's once it is locked. Other keys (`login:` for unknown names) have no entries.
 */
export async function forgetLocked(ctx: IdentityContext, key: string): Promise<void> {
  if (key.startsWith('account:')) await forgetVerified(ctx, { userId: key.slice('account:'.length) });
  else if (key.startsWith('ip:')) await forgetVerified(ctx, { ip: key.slice('ip:'.length) });
}

/**
 * Counts an attempt on an account key as a failure before its secret is checked, refusing it
 * (429) when the key is locked. The check and the count are one step on the locked counter row,
 * so a burst of parallel guesses cannot all pass the check before any failure is recorded. A
 * success undoes the count with `clearFailures`.
 */
export async function reserveAttempt(ctx: IdentityContext, key: string): Promise<void> {
  await countFailure(ctx, key, true);
  await forgetLocked(ctx, key);
}

/** Returns true when `key` is locked after this failure. */
async function countFailure(ctx: IdentityContext, key: string, refuseWhenLocked: boolean, tx?: Tx): Promise<boolean> {
  const run = async (t: Tx) => {
    const at = Date.now();
    const kind = key.startsWith('ip:') ? 'ip' : 'account';
    const row = await ctx.store.lockoutForUpdate(key, kind, new Date(at).toISOString(), t);
    if (refuseWhenLocked && row.locked_until && Date.parse(row.locked_until) > at) {
      const retry = Math.ceil((Date.parse(row.locked_until) - at) / 1000);
      throw new TooManyRequestsError(`Too many failed sign-in attempts. Wait ${retry} seconds and try again, or ask an administrator to unlock the account.`, retry);
    }
    let failures = Number(row.failures);
    let windowStart = row.window_start;
    if (kind === 'ip' && at - Date.parse(windowStart) > IP_WINDOW_MS) {
      failures = 0;
      windowStart = new Date(at).toISOString();
    }
    if (kind === 'account' && at - Date.parse(row.updated_at) > ACCOUNT_FORGET_MS) failures = 0;
    failures += 1;
    let lockedUntil = row.locked_until;
    if (kind === 'ip' && failures >= IP_THRESHOLD) lockedUntil = new Date(at + IP_LOCK_SECONDS * 1000).toISOString();
    if (kind === 'account' && failures >= ACCOUNT_THRESHOLD) {
      const seconds = Math.min(ACCOUNT_BASE_SECONDS * 2 ** (failures - ACCOUNT_THRESHOLD), ACCOUNT_MAX_SECONDS);
      lockedUntil = new Date(at + seconds * 1000).toISOString();
    }
    await ctx.store.saveLockout({ key, kind, failures, window_start: windowStart, locked_until: lockedUntil, updated_at: new Date(at).toISOString() }, t);
    return lockedUntil !== null && Date.parse(lockedUntil) > at;
  };
  return tx ? run(tx) : ctx.store.transaction(run);
}

export async function clearFailures(ctx: IdentityContext, key: string, tx?: Tx): Promise<boolean> {
  return ctx.store.deleteLockout(key, tx);
}
