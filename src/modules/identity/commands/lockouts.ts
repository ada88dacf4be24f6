import { now } from '../../../platform/db/database.js';
import { NotFoundError } from '../../../platform/errors.js';
import { presentLockout, type LockoutView } from '../presenters.js';
import type { Actor } from '../types.js';
import { accountKey } from './bruteForce.js';
import { auditBy, type IdentityContext } from './context.js';
import { requireUserRow } from './users.js';

export async function listLockouts(ctx: IdentityContext): Promise<LockoutView[]> {
  return (await ctx.store.activeLockouts(now())).map(presentLockout);
}

export async function unlockUser(ctx: IdentityContext, userId: string, actor: Actor): Promise<void> {
  const row = await requireUserRow(ctx, userId);
  await ctx.store.transaction(async (tx) => {
    await ctx.store.deleteLockout(accountKey(userId), tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'user.unlock', target: { type: 'user', id: userId }, details: { username: row.username } }), tx);
  });
}

/** Lifts any lockout by its key, e.g. an address (`ip:...`) locked by a misconfigured client. */
export async function liftLockout(ctx: IdentityContext, key: string, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    if (!(await ctx.store.deleteLockout(key, tx))) throw new NotFoundError('There is no such lockout.');
    await ctx.platform.audit.append(auditBy(actor, { action: 'lockout.lift', target: { type: 'lockout', id: key } }), tx);
  });
}
