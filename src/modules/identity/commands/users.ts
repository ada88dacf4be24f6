import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { now, type Tx } from '../../../platform/db/database.js';
import { ConflictError, NotFoundError } from '../../../platform/errors.js';
import { parse } from '../../../platform/http/validate.js';
import { checkPasswordStrength, generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from '../passwords.js';
import { displayNameRule, emailRule, languageRule, quotaRule, timeZoneRule, usernameRule } from '../rules.js';
import type { UserRow } from '../tables.js';
import type { Actor, Language, NewUser, UserView } from '../types.js';
import { auditBy, type IdentityContext } from './context.js';
import { forgetVerified } from './verifiedCache.js';
import { userView, userViews } from './views.js';

export interface UserPatch {
  email?: string;
  displayName?: string;
  isAdmin?: boolean;
  language?: Language | null;
  timeZone?: string | null;
  quotaBytes?: number | null;
}

/** The instance setting from the admin console, never below the built-in minimum. */
export async function passwordMinLength(ctx: IdentityContext, tx?: Tx): Promise<number> {
  const raw = await ctx.store.setting('admin.passwordMinLength', tx);
  const n = raw === undefined ? MIN_PASSWORD_LENGTH : Number(JSON.parse(raw));
  return Number.isFinite(n) ? Math.max(MIN_PASSWORD_LENGTH, n) : MIN_PASSWORD_LENGTH;
}

function check<S extends z.ZodType>(rule: S, value: unknown, field: string): z.output<S> {
  return parse(rule, value, field);
}

export async function requireUserRow(ctx: IdentityContext, id: string, tx?: Tx): Promise<UserRow> {
  const row = await ctx.store.userById(id, tx);
  if (!row) throw new NotFoundError('This person does not exist (any more).');
  return row;
}

export async function createUser(ctx: IdentityContext, input: NewUser, actor: Actor, tx?: Tx): Promise<{ user: UserView; initialPassword?: string }> {
  const username = check(usernameRule, input.username, 'username');
  const email = check(emailRule, input.email, 'email');
  const displayName = check(displayNameRule, input.displayName, 'displayName');
  const language = check(languageRule, input.language ?? null, 'language');
  const timeZone = check(timeZoneRule, input.timeZone ?? null, 'timeZone');
  const quotaBytes = check(quotaRule, input.quotaBytes ?? null, 'quotaBytes');
  const generated = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generated!;
  checkPasswordStrength(password, await passwordMinLength(ctx, tx));
  const passwordHash = await hashPassword(password);
  const at = now();
  const row: UserRow = {
    id: randomUUID(),
    username,
    email,
    email_lower: email.toLowerCase(),
    display_name: displayName,
    password_hash: passwordHash,
    is_admin: input.isAdmin ? 1 : 0,
    status: 'active',
    language,
    time_zone: timeZone,
    quota_bytes: quotaBytes,
    avatar_key: null,
    avatar_type: null,
    totp_secret: null,
    totp_pending_secret: null,
    totp_last_step: null,
    last_login_at: null,
    created_at: at,
    updated_at: at,
  };
  const write = async (t: Tx) => {
    if (await ctx.store.usernameTaken(username, t)) throw new ConflictError(`The username ${username} is taken.`, 'username_taken');
    if (await ctx.store.emailTaken(row.email_lower, null, t)) throw new ConflictError(`The e-mail address ${email} is already used by someone else.`, 'email_taken');
    await ctx.store.insertUser(row, t);
    await ctx.platform.audit.append(
      auditBy(actor, { action: 'user.create', target: { type: 'user', id: row.id }, details: { username, email, isAdmin: row.is_admin === 1 } }),
      t,
    );
  };
  await (tx ? write(tx) : ctx.store.transaction(write)).catch(rethrowUnique);
  return { user: await userView(ctx, row, tx), ...(generated ? { initialPassword: generated } : {}) };
}

/** Two concurrent creations both pass the check; the unique index stops the second. */
function rethrowUnique(e: unknown): never {
  const msg = e instanceof Error ? e.message : '';
  if (/unique|duplicate key/i.test(msg)) throw new ConflictError('This username or e-mail address is already used.', /email/i.test(msg) ? 'email_taken' : 'username_taken');
  throw e;
}

/** Admins may not remove the last active administrator: nobody could administer the instance any more. */
async function assertNotLastAdmin(ctx: IdentityContext, row: UserRow, tx: Tx): Promise<void> {
  if (row.is_admin === 1 && row.status === 'active' && (await ctx.store.countActiveAdmins(tx)) <= 1) {
    throw new ConflictError('This is the last active administrator. Make someone else an administrator first.', 'last_admin');
  }
}

export async function updateUser(ctx: IdentityContext, id: string, patch: UserPatch, actor: Actor): Promise<UserView> {
  const set: Partial<UserRow> = {};
  if (patch.email !== undefined) {
    const email = check(emailRule, patch.email, 'email');
    set.email = email;
    set.email_lower = email.toLowerCase();
  }
  if (patch.displayName !== undefined) set.display_name = check(displayNameRule, patch.displayName, 'displayName');
  if (patch.language !== undefined) set.language = check(languageRule, patch.language, 'language');
  if (patch.timeZone !== undefined) set.time_zone = check(timeZoneRule, patch.timeZone, 'timeZone');
  if (patch.quotaBytes !== undefined) set.quota_bytes = check(quotaRule, patch.quotaBytes, 'quotaBytes');
  if (patch.isAdmin !== undefined) set.is_admin = patch.isAdmin ? 1 : 0;
  const row = await ctx.store
    .transaction(async (tx) => {
      const before = await requireUserRow(ctx, id, tx);
      if (set.email_lower !== undefined && (await ctx.store.emailTaken(set.email_lower, id, tx))) {
        throw new ConflictError(`The e-mail address ${set.email} is already used by someone else.`, 'email_taken');
      }
      if (set.is_admin === 0) await assertNotLastAdmin(ctx, before, tx);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, v] of Object.entries(set)) {
        const old = before[k as keyof UserRow];
        if (k !== 'email_lower' && old !== v) changes[k] = { from: old, to: v };
      }
      if (Object.keys(changes).length === 0) return before;
      const after: UserRow = { ...before, ...set, updated_at: now() };
      await ctx.store.updateUser(id, { ...set, updated_at: after.updated_at }, tx);
      const action = 'is_admin' in changes ? (set.is_admin ? 'user.grant_admin' : 'user.revoke_admin') : 'user.update';
      await ctx.platform.audit.append(auditBy(actor, { action, target: { type: 'user', id }, details: { username: before.username, changes } }), tx);
      return after;
    })
    .catch(rethrowUnique);
  // The view remembered for app passwords shows these fields (isAdmin above all).
  await forgetVerified(ctx, { userId: id });
  return userView(ctx, row);
}

export async function setStatus(ctx: IdentityContext, id: string, status: 'active' | 'disabled', actor: Actor): Promise<UserView> {
  const row = await ctx.store.transaction(async (tx) => {
    const before = await requireUserRow(ctx, id, tx);
    if (before.status === status) return before;
    if (status === 'disabled') {
      await assertNotLastAdmin(ctx, before, tx);
      await ctx.store.deleteSessionsOfUser(id, null, tx);
    }
    const after: UserRow = { ...before, status, updated_at: now() };
    await ctx.store.updateUser(id, { status, updated_at: after.updated_at }, tx);
    await ctx.platform.audit.append(
      auditBy(actor, { action: status === 'disabled' ? 'user.disable' : 'user.enable', target: { type: 'user', id }, details: { username: before.username } }),
      tx,
    );
    return after;
  });
  await forgetVerified(ctx, { userId: id });
  return userView(ctx, row);
}

/** Credentials cascade with the row; memberships are removed here; audit entries keep the name. */
export async function deleteUser(ctx: IdentityContext, id: string, actor: Actor): Promise<void> {
  const row = await ctx.store.transaction(async (tx) => {
    const before = await requireUserRow(ctx, id, tx);
    await assertNotLastAdmin(ctx, before, tx);
    await ctx.store.deleteSessionsOfUser(id, null, tx);
    await ctx.store.deleteMembershipsOf('user', id, tx);
    await ctx.store.deleteLockout(`account:${id}`, tx);
    await ctx.store.deleteUser(id, tx);
    await ctx.platform.audit.append(
      auditBy(actor, { action: 'user.delete', target: { type: 'user', id }, details: { username: before.username, email: before.email } }),
      tx,
    );
    return before;
  });
  await forgetVerified(ctx, { userId: id });
  if (row.avatar_key) await ctx.platform.blobs.delete(row.avatar_key).catch(() => {});
}

export async function resetPassword(ctx: IdentityContext, id: string, password: string | undefined, actor: Actor): Promise<string> {
  const next = password ?? generatePassword();
  checkPasswordStrength(next, await passwordMinLength(ctx));
  const passwordHash = await hashPassword(next);
  await ctx.store.transaction(async (tx) => {
    const before = await requireUserRow(ctx, id, tx);
    await ctx.store.updateUser(id, { password_hash: passwordHash, updated_at: now() }, tx);
    await ctx.store.deleteSessionsOfUser(id, null, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'user.reset_password', target: { type: 'user', id }, details: { username: before.username } }), tx);
  });
  await forgetVerified(ctx, { userId: id });
  return next;
}

export interface AdminUserView extends UserView {
  lockedUntil: string | null;
  lastLoginAt: string | null;
}

export async function listUsers(ctx: IdentityContext, q: { query?: string; limit?: number; offset?: number } = {}): Promise<{ users: AdminUserView[]; total: number }> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const offset = Math.max(q.offset ?? 0, 0);
  const { rows, total } = await ctx.store.listUsers({ query: q.query?.trim() || undefined, limit, offset });
  const views = await userViews(ctx, rows);
  const locks = new Map((await ctx.store.activeLockouts(now())).map((l) => [l.key, l.locked_until]));
  return {
    users: views.map((v, i) => ({ ...v, lockedUntil: locks.get(`account:${v.id}`) ?? null, lastLoginAt: rows[i]!.last_login_at })),
    total,
  };
}
