import type { Kysely } from 'kysely';
import { withTables, type Database, type Tx } from '../../platform/db/database.js';
import { now } from '../../platform/db/database.js';
import type { PlatformTables } from '../../platform/db/platformTables.js';

export interface OidcClientRow {
  id: string;
  name: string;
  is_public: number;
  secret_sealed: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  skip_consent: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface OidcPayloadRow {
  kind: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  client_id: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}

export type OidcTables = {
  oidc_clients: OidcClientRow;
  oidc_payloads: OidcPayloadRow;
};

type Q = Kysely<OidcTables & PlatformTables>;

const SIGNING_KEYS = 'oidc.signing_keys';

/** Every SQL statement of the OIDC module. */
export class OidcStore {
  constructor(private readonly database: Database) {}

  private get db(): Q {
    return withTables<OidcTables>(this.database.db);
  }

  private q(tx?: Tx): Q {
    return tx ? withTables<OidcTables>(tx) : this.db;
  }

  // --- provider state (oidc-provider models) ---

  async findPayload(kind: string, where: { id?: string; uid?: string; userCode?: string }): Promise<OidcPayloadRow | undefined> {
    let query = this.db.selectFrom('oidc_payloads').selectAll().where('kind', '=', kind);
    if (where.id !== undefined) query = query.where('id', '=', where.id);
    if (where.uid !== undefined) query = query.where('uid', '=', where.uid);
    if (where.userCode !== undefined) query = query.where('user_code', '=', where.userCode);
    const row = await query.limit(1).executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= now()) return undefined;
    return row;
  }

  async upsertPayload(row: Omit<OidcPayloadRow, 'consumed_at'>): Promise<void> {
    const { kind: _kind, id: _id, ...changes } = row;
    await this.db
      .insertInto('oidc_payloads')
      .values({ ...row, consumed_at: null })
      .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(changes))
      .execute();
  }

  async consumePayload(kind: string, id: string): Promise<void> {
    await this.db.updateTable('oidc_payloads').set({ consumed_at: now() }).where('kind', '=', kind).where('id', '=', id).execute();
  }

  async destroyPayload(kind: string, id: string): Promise<void> {
    await this.db.deleteFrom('oidc_payloads').where('kind', '=', kind).where('id', '=', id).execute();
  }

  async destroyByGrant(grantId: string): Promise<void> {
    await this.db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  }

  async destroyByClient(clientId: string, tx?: Tx): Promise<void> {
    await this.q(tx).deleteFrom('oidc_payloads').where('client_id', '=', clientId).execute();
  }

  async deleteExpired(): Promise<number> {
    const result = await this.db.deleteFrom('oidc_payloads').where('expires_at', '<=', now()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // --- registered clients ---

  async listClients(): Promise<OidcClientRow[]> {
    return this.db.selectFrom('oidc_clients').selectAll().orderBy('name').orderBy('id').execute();
  }

  async getClient(id: string, tx?: Tx): Promise<OidcClientRow | undefined> {
    return this.q(tx).selectFrom('oidc_clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertClient(row: OidcClientRow, tx: Tx): Promise<void> {
    await this.q(tx).insertInto('oidc_clients').values(row).execute();
  }

  async updateClient(id: string, changes: Partial<Omit<OidcClientRow, 'id' | 'created_at' | 'created_by'>>, tx: Tx): Promise<void> {
    await this.q(tx).updateTable('oidc_clients').set(changes).where('id', '=', id).execute();
  }

  async deleteClient(id: string, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('oidc_clients').where('id', '=', id).execute();
  }

  // --- signing keys (one sealed JWK set in the platform settings table) ---

  async getSigningKeys(): Promise<string | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', SIGNING_KEYS).executeTakeFirst();
    return row?.value;
  }

  /** First writer wins, so processes starting together agree on one key. */
  async insertSigningKeysIfAbsent(sealed: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key: SIGNING_KEYS, value: sealed, updated_at: now() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }
}
