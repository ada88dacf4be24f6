import type { GroupView, Language, UserView } from './types.js';
import type { AppPasswordRow, GroupRow, LockoutRow, SessionRow, UserRow, WebauthnCredentialRow } from './tables.js';

/** Domain rows to the JSON shapes of docs/api.md; rows never leave the module as they are. */
export function presentUser(row: UserRow, extra: { webauthnCount: number; mfaRequired: boolean }): UserView {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    displayName: row.display_name,
    isAdmin: row.is_admin === 1,
    status: row.status === 'disabled' ? 'disabled' : 'active',
    language: (row.language as Language | null) ?? null,
    timeZone: row.time_zone,
    quotaBytes: row.quota_bytes === null ? null : Number(row.quota_bytes),
    // The version suffix changes with each upload, so browsers may cache the image itself.
    avatarUrl: row.avatar_key ? `/api/users/${row.id}/avatar?v=${row.avatar_key.slice(-8)}` : null,
    totpEnabled: row.totp_secret !== null,
    webauthnCount: extra.webauthnCount,
    mfaRequired: extra.mfaRequired,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function presentGroup(row: GroupRow, memberCount: number): GroupView {
  return {
    id: row.id,
    name: row.name,
    displayName: row.display_name,
    description: row.description,
    require2fa: row.require_2fa === 1,
    memberCount,
    createdAt: row.created_at,
  };
}

export function presentOwnSession(row: SessionRow, currentId: string | undefined) {
  return { id: row.id, current: row.id === currentId, createdAt: row.created_at, lastSeenAt: row.last_seen_at, ip: row.ip, userAgent: row.user_agent };
}

export function presentAdminSession(row: SessionRow & { username: string }) {
  return { id: row.id, userId: row.user_id, username: row.username, createdAt: row.created_at, lastSeenAt: row.last_seen_at, ip: row.ip, userAgent: row.user_agent };
}

export function presentCredential(row: WebauthnCredentialRow) {
  return { id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

export function presentAppPassword(row: AppPasswordRow) {
  return { id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

export function presentLockout(row: LockoutRow) {
  return { key: row.key, kind: row.kind === 'ip' ? ('ip' as const) : ('account' as const), failures: Number(row.failures), lockedUntil: row.locked_until };
}

export type OwnSessionView = ReturnType<typeof presentOwnSession>;
export type AdminSessionView = ReturnType<typeof presentAdminSession>;
export type CredentialView = ReturnType<typeof presentCredential>;
export type AppPasswordView = ReturnType<typeof presentAppPassword>;
export type LockoutView = ReturnType<typeof presentLockout>;
