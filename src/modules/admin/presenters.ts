import type { AuditEntry } from '../../platform/audit/auditLog.js';

/** The stored hash stays server-side: it proves integrity via /verify, it is not for display. */
export function presentAuditEntry(e: AuditEntry) {
  return {
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    actorName: e.actorName,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    ip: e.ip,
    outcome: e.outcome,
    details: e.details,
  };
}
