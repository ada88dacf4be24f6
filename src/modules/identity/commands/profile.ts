import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { now } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/errors.js';
import { checkPasswordStrength, hashPassword } from '../passwords.js';
import type { Actor, Language, UserView } from '../types.js';
import { auditBy, type IdentityContext } from './context.js';
import { forgetVerified } from './verifiedCache.js';
import { assertPassword } from './totp.js';
import { passwordMinLength, requireUserRow, updateUser } from './users.js';
import { userView } from './views.js';

export const AVATAR_MAX_BYTES = 1024 * 1024;

/** The image type from its first bytes; the Content-Type header is the client's claim, not proof. */
export function sniffImage(body: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | null {
  if (body.length >= 8 && body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (body.length >= 3 && body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff) return 'image/jpeg';
  if (body.length >= 12 && body.subarray(0, 4).toString('latin1') === 'RIFF' && body.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

export async function updateOwnProfile(
  ctx: IdentityContext,
  userId: string,
  patch: { displayName?: string; language?: Language | null; timeZone?: string | null },
  actor: Actor,
): Promise<UserView> {
  return updateUser(ctx, userId, patch, actor);
}

export async function changePassword(ctx: IdentityContext, userId: string, currentSessionId: string | undefined, current: string, next: string, actor: Actor): Promise<void> {
  const row = await requireUserRow(ctx, userId);
  await assertPassword(ctx, row, current, actor);
  checkPasswordStrength(next, await passwordMinLength(ctx));
  const hash = await hashPassword(next);
  await ctx.store.transaction(async (tx) => {
    await ctx.store.updateUser(userId, { password_hash: hash, updated_at: now() }, tx);
    const ended = await ctx.store.deleteSessionsOfUser(userId, currentSessionId ?? null, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'user.change_password', target: { type: 'user', id: userId }, details: { otherSessionsEnded: ended } }), tx);
  });
  await forgetVerified(ctx, { userId });
}

export async function setAvatar(ctx: IdentityContext, userId: string, body: Buffer, actor: Actor): Promise<UserView> {
  if (body.length > AVATAR_MAX_BYTES) throw new ValidationError('The picture is larger than 1 MiB.');
  const type = sniffImage(body);
  if (!type) throw new ValidationError('The picture must be a PNG, JPEG or WebP image.');
  const before = await requireUserRow(ctx, userId);
  const key = `avatars/${userId}/${randomBytes(8).toString('hex')}`;
  await ctx.platform.blobs.put(key, body, { contentType: type });
  await ctx.store.transaction(async (tx) => {
    await ctx.store.updateUser(userId, { avatar_key: key, avatar_type: type, updated_at: now() }, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'user.avatar.set', target: { type: 'user', id: userId }, details: { bytes: body.length, type } }), tx);
  });
  if (before.avatar_key) await ctx.platform.blobs.delete(before.avatar_key).catch(() => {});
  await forgetVerified(ctx, { userId });
  return userView(ctx, await requireUserRow(ctx, userId));
}

export async function removeAvatar(ctx: IdentityContext, userId: string, actor: Actor): Promise<UserView> {
  const before = await requireUserRow(ctx, userId);
  if (before.avatar_key) {
    await ctx.store.transaction(async (tx) => {
      await ctx.store.updateUser(userId, { avatar_key: null, avatar_type: null, updated_at: now() }, tx);
      await ctx.platform.audit.append(auditBy(actor, { action: 'user.avatar.remove', target: { type: 'user', id: userId } }), tx);
    });
    await ctx.platform.blobs.delete(before.avatar_key).catch(() => {});
    await forgetVerified(ctx, { userId });
  }
  return userView(ctx, await requireUserRow(ctx, userId));
}

export async function readAvatar(ctx: IdentityContext, userId: string): Promise<{ type: string; body: Readable }> {
  const row = await ctx.store.userById(userId);
  if (!row?.avatar_key || !row.avatar_type) throw new NotFoundError('This person has no picture.');
  return { type: row.avatar_type, body: await ctx.platform.blobs.get(row.avatar_key) };
}
