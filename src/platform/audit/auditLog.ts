import { sql } from 'kysely';
import type { Database, Tx } from '../db/database.js';
import { now } from '../db/database.js';
import { escapeLike } from '../db/like.js';
import { hmacHex } from '../crypto/tokens.js';

export interface AuditEntryInput {
  action: string;
  actor?: { id: string | null; name: string | null } | null;
  target?: { type: string; id: string } | null;
  ip?: string | null;
  outcome?: 'success' | 'failure';
  details?: Record<string, unknown>;
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
  details: Record<string, unknown>;
  hash: string;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  text?: string;
  beforeSeq?: number;
  limit?: number;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  problems: { seq: number; problem: string }[];
}

/**
 * Append-only, hash-chained log. Each entry's hash is an HMAC over its fields and the previous
 * hash, keyed by the server secret; the head row holds the last seq and hash, so editing,
 * deleting (even the newest) or reordering entries is detected by `verify`.
 */
export class AuditLog {
  constructor(
    private readonly database: Database,
    private readonly secret: string,
  ) {}

  /** Appends inside `tx` when given, so an action and its audit entry commit together. */
  async append(input: AuditEntryInput, tx?: Tx): Promise<number> {
    if (tx) return this.appendIn(tx, input);
    return this.database.transaction((t) => this.appendIn(t, input));
  }

  private async appendIn(tx: Tx, input: AuditEntryInput): Promise<number> {
    let headQuery = tx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
    if (this.database.dialect === 'postgres') headQuery = headQuery.forUpdate();
    const head = await headQuery.executeTakeFirstOrThrow();
    const row = {
      seq: Number(head.seq) + 1,
      at: now(),
      actor_id: input.actor?.id ?? null,
      actor_name: input.actor?.name ?? null,
      action: input.action,
      target_type: input.target?.type ?? null,
      target_id: input.target?.id ?? null,
      ip: input.ip ?? null,
      outcome: input.outcome ?? 'success',
      details: JSON.stringify(input.details ?? {}),
      prev_hash: head.hash,
    };
    const hash = this.hashOf(row);
    await tx.insertInto('audit_log').values({ ...row, hash }).execute();
    await tx.updateTable('audit_head').set({ seq: row.seq, hash }).where('id', '=', 1).execute();
    return row.seq;
  }

  private hashOf(r: {
    seq: number;
    at: string;
    actor_id: string | null;
    actor_name: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    ip: string | null;
    outcome: string;
    details: string;
    prev_hash: string;
  }): string {
    return hmacHex(
      this.secret,
      JSON.stringify([r.seq, r.at, r.actor_id, r.actor_name, r.action, r.target_type, r.target_id, r.ip, r.outcome, r.details, r.prev_hash]),
    );
  }

  async query(q: AuditQuery): Promise<AuditEntry[]> {
    let query = this.database.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(Math.min(q.limit ?? 100, 1000));
    if (q.actor) query = query.where((eb) => eb.or([eb('actor_id', '=', q.actor!), eb('actor_name', '=', q.actor!)]));
    // Searches are literal: a person typing `app_password` or `50%` means exactly that.
    if (q.action) query = query.where(sql<boolean>`action like ${escapeLike(q.action) + '%'} escape '\\'`);
    if (q.from) query = query.where('at', '>=', q.from);
    if (q.to) query = query.where('at', '<=', q.to);
    if (q.beforeSeq) query = query.where('seq', '<', q.beforeSeq);
    if (q.text) {
      // lower() on both sides: SQLite's LIKE ignores ASCII case and PostgreSQL's does not.
      const like = `%${escapeLike(q.text.toLowerCase())}%`;
      query = query.where(
        sql<boolean>`(lower(details) like ${like} escape '\\' or lower(target_id) like ${like} escape '\\' or lower(actor_name) like ${like} escape '\\' or ip like ${like} escape '\\')`,
      );
    }
    const rows = await query.execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      ip: r.ip,
      outcome: r.outcome,
      details: JSON.parse(r.details) as Record<string, unknown>,
      hash: r.hash,
    }));
  }

  /** Walks the whole chain in pages; reports every broken link rather than stopping at the first. */
  async verify(): Promise<AuditVerification> {
    const problems: AuditVerification['problems'] = [];
    let prevHash = '';
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const rows = await this.database.db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(1000).execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        const seq = Number(r.seq);
        if (seq !== expectedSeq) problems.push({ seq: expectedSeq, problem: `entries ${expectedSeq}..${seq - 1} are missing (deleted)` });
        if (r.prev_hash !== prevHash) problems.push({ seq, problem: 'does not link to the entry before it' });
        if (this.hashOf({ ...r, seq }) !== r.hash) problems.push({ seq, problem: 'was edited after it was written (hash mismatch)' });
        prevHash = r.hash;
        expectedSeq = seq + 1;
        checked++;
      }
    }
    const head = await this.database.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    if (!head) problems.push({ seq: 0, problem: 'the chain head is missing' });
    else if (Number(head.seq) !== expectedSeq - 1 || head.hash !== prevHash) {
      problems.push({ seq: Number(head.seq), problem: `the newest entries were removed (head says ${head.seq}, log ends at ${expectedSeq - 1})` });
    }
    return { ok: problems.length === 0, checked, problems };
  }
}

