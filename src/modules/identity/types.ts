import type { preHandlerAsyncHookHandler } from 'fastify';
import type { TesseraModule } from '../../platform/module.js';

/**
 * The identity module's contract with the rest of Tessera. Other modules (OIDC, admin, mail,
 * DAV...) use only what is here, never identity's tables.
 */
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
  /** True when a group this person belongs to (directly or nested) forces 2FA. */
  mfaRequired: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Actor {
  id: string | null;
  name: string | null;
  ip?: string | null;
}

export interface AuthContext {
  user: UserView;
  via: 'session' | 'app_password' | 'bearer';
  sessionId?: string;
  mfaPending: boolean;
  enrollmentRequired: boolean;
  /** For session auth: the token state-changing requests must echo in X-CSRF-Token. */
  csrfToken?: string;
  /** For session auth: when the person signed in with their password (ISO time), e.g. for OIDC auth_time. */
  authenticatedAt?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by identity's onRequest hook when the request carries a valid session. */
    auth?: AuthContext;
  }
}

export interface NewUser {
  username: string;
  email: string;
  displayName: string;
  password?: string;
  isAdmin?: boolean;
  language?: Language | null;
  timeZone?: string | null;
  quotaBytes?: number | null;
}

export interface GroupView {
  id: string;
  name: string;
  displayName: string;
  description: string;
  require2fa: boolean;
  memberCount: number;
  createdAt: string;
}

/** A group as other modules name it. */
export interface GroupRef {
  id: string;
  name: string;
}

export interface IdentityService {
  getUser(id: string): Promise<UserView | null>;
  findUser(login: string): Promise<UserView | null>;
  listUsers(q?: { query?: string; limit?: number; offset?: number }): Promise<{ users: UserView[]; total: number }>;
  createUser(input: NewUser, actor: Actor): Promise<{ user: UserView; initialPassword?: string }>;
  disableUser(id: string, actor: Actor): Promise<UserView>;
  enableUser(id: string, actor: Actor): Promise<UserView>;
  deleteUser(id: string, actor: Actor): Promise<void>;
  resetPassword(id: string, password: string | undefined, actor: Actor): Promise<string>;
  listGroups(): Promise<GroupView[]>;
  /** One group by its unique name (case as stored), without counting members. */
  findGroup(name: string): Promise<GroupRef | null>;
  /** Usernames and display names of these people, by id (one query per 500); unknown ids are left out. */
  peopleNames(ids: string[]): Promise<Map<string, { username: string; displayName: string }>>;
  /** The names of these groups, by id; unknown ids are left out. */
  groupNames(ids: string[]): Promise<Map<string, string>>;
  createGroup(input: { name: string; displayName: string; description?: string; require2fa?: boolean }, actor: Actor): Promise<GroupView>;
  addGroupMember(groupId: string, member: { type: 'user' | 'group'; id: string }, actor: Actor): Promise<void>;
  removeGroupMember(groupId: string, member: { type: 'user' | 'group'; id: string }, actor: Actor): Promise<void>;
  /** Ids of every group the user belongs to, directly or through nested groups. */
  groupIdsOf(userId: string): Promise<string[]>;
  /** For protocol clients (IMAP, DAV): login + app password. Applies brute-force protection. */
  verifyAppPassword(login: string, password: string, ip: string): Promise<UserView | null>;
  /** The user behind a browser session token (cookie value), or null. */
  userForSessionToken(token: string): Promise<AuthContext | null>;
  countUsers(): Promise<number>;
  /** The person's storage quota in bytes (null = unlimited, also for an unknown id); one row read, for hot paths like uploads. */
  quotaBytesOf(userId: string): Promise<number | null>;
}

export interface IdentityGuards {
  /** 401 unless signed in with 2FA complete and enrolment satisfied. */
  requireUser: preHandlerAsyncHookHandler;
  /** requireUser + 403 unless an administrator. */
  requireAdmin: preHandlerAsyncHookHandler;
}

export interface IdentityModule extends TesseraModule {
  service: IdentityService;
  guards: IdentityGuards;
  /** The Actor for audit entries from a request (signed-in person + client IP). */
  actorOf(req: import('fastify').FastifyRequest): Actor;
}
