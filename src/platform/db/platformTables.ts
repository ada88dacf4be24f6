/** Tables owned by the platform itself. Modules declare theirs beside their store. */
export interface PlatformTables {
  settings: { key: string; value: string; updated_at: string };
  audit_log: {
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
    hash: string;
  };
  audit_head: { id: number; seq: number; hash: string };
  jobs: {
    id: string;
    name: string;
    payload: string;
    status: string;
    attempts: number;
    max_attempts: number;
    run_at: string;
    locked_by: string | null;
    locked_until: string | null;
    last_error: string | null;
    created_at: string;
    updated_at: string;
  };
}
