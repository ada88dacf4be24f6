/** Identity's tables, as Kysely sees them. Only store.ts queries them. */
export interface UserRow {
  id: string;
  username: string;
  email: string;
  email_lower: string;
  display_name: string;
  password_hash: string | null;
  is_admin: number;
  status: string;
  language: string | null;
  time_zone: string | null;
  quota_bytes: number | null;
  avatar_key: string | null;
  avatar_type: string | null;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: number | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface GroupRow {
  id: string;
  name: string;
  display_name: string;
  description: string;
  require_2fa: number;
  created_at: string;
  updated_at: string;
}

export interface GroupMemberRow {
  group_id: string;
  member_type: string;
  member_id: string;
  created_at: string;
}

export interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  mfa_pending: number;
  challenge: string | null;
  challenge_at: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
}

export interface RecoveryCodeRow {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

export interface WebauthnCredentialRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface AppPasswordRow {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  created_at: string;
  last_used_at: string | null;
}

export interface LockoutRow {
  key: string;
  kind: string;
  failures: number;
  window_start: string;
  locked_until: string | null;
  updated_at: string;
}

// A type alias (not an interface) so Kysely's withTables<T> sees an indexable record.
export type IdentityTables = {
  users: UserRow;
  groups: GroupRow;
  group_members: GroupMemberRow;
  sessions: SessionRow;
  recovery_codes: RecoveryCodeRow;
  webauthn_credentials: WebauthnCredentialRow;
  app_passwords: AppPasswordRow;
  login_lockouts: LockoutRow;
};
