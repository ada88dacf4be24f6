import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictError } from '../../../platform/errors.js';
import { now, type Tx } from '../../../platform/db/database.js';
import type { Actor } from '../types.js';
import { auditBy, type IdentityContext } from './context.js';
import { requireUserRow } from './users.js';
import { assertPassword } from './totp.js';
import { userView, hasSecondFactor } from './views.js';

const COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** xxxxx-xxxxx: about 49 bits each, easy to read aloud and type. */
function generateCode(): string {
  const bytes = randomBytes(10);
  const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Replaces the person's recovery codes with ten new ones and returns them (shown once). */
export async function newRecoveryCodes(ctx: IdentityContext, userId: string, tx: Tx): Promise<string[]> {
  const codes = Array.from({ length: COUNT }, generateCode);
  const at = now();
  await ctx.store.replaceRecoveryCodes(
    userId,
    codes.map((c) => ({ id: randomUUID(), user_id: userId, code_hash: ctx.box.mac(normalizeRecoveryCode(c)), used_at: null, created_at: at })),
    tx,
  );
  return codes;
}

export async function regenerateRecoveryCodes(ctx: IdentityContext, userId: string, password: string, actor: Actor): Promise<{ recoveryCodes: string[] }> {
  const row = await requireUserRow(ctx, userId);
  await assertPassword(ctx, row, password, actor);
  if (!hasSecondFactor(await userView(ctx, row))) throw new ConflictError('Set up an authenticator app or a security key first.', 'no_second_factor');
  return ctx.store.transaction(async (tx) => {
    const recoveryCodes = await newRecoveryCodes(ctx, userId, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'mfa.recovery_codes.regenerate', target: { type: 'user', id: userId } }), tx);
    return { recoveryCodes };
  });
}
