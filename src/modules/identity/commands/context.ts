import type { Platform } from '../../../platform/platform.js';
import type { IdentityStore } from '../store.js';
import type { SecretBox } from '../secrets.js';
import type { Actor } from '../types.js';
import type { AuditEntryInput } from '../../../platform/audit/auditLog.js';
import type { VerifiedAppPasswords } from './verifiedCache.js';

/** What every identity command needs. */
export interface IdentityContext {
  platform: Platform;
  store: IdentityStore;
  box: SecretBox;
  /** Recently verified app passwords (commands/verifiedCache.ts). */
  verified: VerifiedAppPasswords;
}

/** An audit entry attributed to `actor`. */
export function auditBy(actor: Actor, entry: Omit<AuditEntryInput, 'actor' | 'ip'>): AuditEntryInput {
  return { ...entry, actor: { id: actor.id, name: actor.name }, ip: actor.ip ?? null };
}
