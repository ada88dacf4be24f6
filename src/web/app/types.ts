/** Shapes from docs/api.md, as the browser sees them. */
export type Language = 'en' | 'fr' | 'de' | 'nl';

export interface UserView {
  id: string;
  username: string;
  email: string;
  displayName: string;
  isAdmin: boolean;
  status: 'active' | 'disabled';
  language: Language | null;
  timeZone: string | null;
  quotaBytes: number | null;
  avatarUrl: string | null;
  totpEnabled: boolean;
  webauthnCount: number;
  mfaRequired: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AdminUserView extends UserView {
  lockedUntil?: string | null;
  lastLoginAt?: string | null;
  groups?: { id: string; name: string; displayName?: string }[];
}

export interface SessionInfo {
  user: UserView;
  csrfToken: string;
  mfaPending: boolean;
  enrollmentRequired: boolean;
}

export type MfaMethod = 'totp' | 'webauthn' | 'recovery';

export interface LoginAnswer {
  status: 'ok' | 'mfa_required' | 'enrollment_required';
  user: UserView;
  csrfToken: string;
  mfaMethods?: MfaMethod[];
}

export interface Tile {
  id: string;
  path: string;
  order: number;
  adminOnly?: boolean;
}

export interface GroupView {
  id: string;
  name: string;
  displayName: string;
  description: string;
  require2fa: boolean;
  memberCount: number;
  createdAt?: string;
}

export interface GroupMember {
  type: 'user' | 'group';
  id: string;
  name: string;
}

export interface GroupDetail extends GroupView {
  members: GroupMember[];
}

export interface OidcClient {
  id: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  public?: boolean;
  skipConsent?: boolean;
  createdAt?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  outcome: string;
  details: unknown;
}

export interface BackendStatus {
  kind?: string;
  ok?: boolean;
  error?: string;
  [key: string]: unknown;
}

export interface SystemStatus {
  version: string;
  uptimeSeconds: number;
  database: BackendStatus;
  blobs: BackendStatus;
  bus: BackendStatus;
  jobs: { queued: number; running: number; done: number; failed: number };
  disk: { path: string; freeBytes: number; totalBytes: number };
  modules: string[];
  /** Optional system tools (libreoffice, clamav, janus): installed or not. */
  tools?: Record<string, boolean>;
  /** Services modules depend on, as `<module>.<service>`; kind 'off' when not configured. */
  services?: Record<string, BackendStatus>;
}

export interface JobView {
  id: string;
  name?: string;
  type?: string;
  status: string;
  attempts?: number;
  lastError?: string | null;
  runAt?: string;
  createdAt?: string;
  [key: string]: unknown;
}

export interface InstanceSettings {
  instanceName?: string;
  defaultLanguage?: Language;
  passwordMinLength?: number;
  [key: string]: unknown;
}
