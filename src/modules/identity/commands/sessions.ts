import { randomUUID } from 'node:crypto';
import { now, type Tx } from '../../../platform/db/database.js';
import { NotFoundError } from '../../../platform/errors.js';
import { randomToken, sha256Hex } from '../../../platform/crypto/tokens.js';
import { presentAdminSession, presentOwnSession, type AdminSessionView, type OwnSessionView } from '../presenters.js';
import type { SessionRow } from '../tables.js';
import type { Actor, AuthContext } from '../types.js';
import { auditBy, type IdentityContext } from './context.js';
import { hasSecondFactor, userView } from './views.js';

// last_seen_at is written at most this often, so reading pages does not turn into a write per request.
const TOUCH_INTERVAL_MS = 60_000;

export interface NewSession {
  token: string;
  row: SessionRow;
}

function ttlMs(ctx: IdentityContext): number {
  return ctx.platform.config.sessionTtlHours * 3600_000;
}

function cutoff(ctx: IdentityContext): string {
  return new Date(Date.now() - ttlMs(ctx)).toISOString();
}

export async function createSession(
  ctx: IdentityContext,
  userId: string,
  opts: { mfaPending: boolean; ip: string | null; userAgent: string | null },
  tx?: Tx,
): Promise<NewSession> {
  const token = randomToken(32);
  const at = now();
  const row: SessionRow = {
    id: randomUUID(),
    token_hash: sha256Hex(token),
    user_id: userId,
    csrf_token: randomToken(32),
    mfa_pending: opts.mfaPending ? 1 : 0,
    challenge: null,
    challenge_at: null,
    ip: opts.ip,
    user_agent: opts.userAgent ? opts.userAgent.slice(0, 500) : null,
    created_at: at,
    last_seen_at: at,
  };
  await ctx.store.insertSession(row, tx);
  return { token, row };
}

/** The session behind a cookie value, or null when unknown, idle too long or its person is disabled. */
export async function resolveSession(ctx: IdentityContext, token: string): Promise<{ auth: AuthContext; session: SessionRow; touched: boolean } | null> {
  if (!token || token.length > 200) return null;
  const session = await ctx.store.sessionByTokenHash(sha256Hex(token));
  if (!session) return null;
  if (Date.parse(session.last_seen_at) + ttlMs(ctx) < Date.now()) {
    await ctx.store.deleteSession(session.id);
    return null;
  }
  const row = await ctx.store.userById(session.user_id);
  if (!row || row.status !== 'active') return null;
  const user = await userView(ctx, row);
  const mfaPending = session.mfa_pending === 1;
  const touched = Date.now() - Date.parse(session.last_seen_at) > TOUCH_INTERVAL_MS;
  if (touched) await ctx.store.updateSession(session.id, { last_seen_at: now() });
  return {
    session,
    touched,
    auth: {
      user,
      via: 'session',
      sessionId: session.id,
      mfaPending,
      enrollmentRequired: !mfaPending && user.mfaRequired && !hasSecondFactor(user),
      csrfToken: session.csrf_token,
      authenticatedAt: session.created_at,
    },
  };
}

export async function endSession(ctx: IdentityContext, sessionId: string, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const s = await ctx.store.sessionById(sessionId, tx);
    if (!s) return;
    await ctx.store.deleteSession(sessionId, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'auth.logout', target: { type: 'user', id: s.user_id } }), tx);
  });
}

export async function endAllSessions(ctx: IdentityContext, userId: string, actor: Actor): Promise<number> {
  return ctx.store.transaction(async (tx) => {
    const n = await ctx.store.deleteSessionsOfUser(userId, null, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'auth.logout_everywhere', target: { type: 'user', id: userId }, details: { sessions: n } }), tx);
    return n;
  });
}

export async function listOwnSessions(ctx: IdentityContext, userId: string, currentId: string | undefined): Promise<OwnSessionView[]> {
  const rows = await ctx.store.sessionsOfUser(userId, cutoff(ctx));
  return rows.map((r) => presentOwnSession(r, currentId));
}

export async function revokeOwnSession(ctx: IdentityContext, userId: string, sessionId: string, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const s = await ctx.store.sessionById(sessionId, tx);
    if (!s || s.user_id !== userId) throw new NotFoundError('This session does not exist (any more).');
    await ctx.store.deleteSession(sessionId, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'session.revoke', target: { type: 'session', id: sessionId }, details: { userId } }), tx);
  });
}

export async function listAllSessions(ctx: IdentityContext): Promise<AdminSessionView[]> {
  const rows = await ctx.store.allSessions(cutoff(ctx));
  return rows.map(presentAdminSession);
}

export async function adminRevokeSession(ctx: IdentityContext, sessionId: string, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const s = await ctx.store.sessionById(sessionId, tx);
    if (!s) throw new NotFoundError('This session does not exist (any more).');
    await ctx.store.deleteSession(sessionId, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'admin.session.revoke', target: { type: 'session', id: sessionId }, details: { userId: s.user_id } }), tx);
  });
}

/** Idle sessions past their lifetime; called now and then so the table does not grow forever. */
export async function pruneSessions(ctx: IdentityContext): Promise<void> {
  await ctx.store.deleteSessionsSeenBefore(cutoff(ctx));
}
