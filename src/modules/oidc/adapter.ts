import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { OidcStore } from './store.js';

/** Client metadata for the provider, resolved from the admin-managed client table. */
export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/**
 * oidc-provider's storage interface over the database, so every Tessera process sees the same
 * sessions, codes, tokens and grants. Clients are not stored here: they come from `lookupClient`.
 */
export function createAdapterFactory(store: OidcStore, lookupClient: ClientLookup): AdapterFactory {
  return (kind: string): Adapter => (kind === 'Client' ? clientAdapter(lookupClient) : new DbAdapter(kind, store));
}

/**
 * Only these die with their grant. Interactions also carry a grantId, but revoking a grant (at
 * logout, say) must not destroy the sign-in that is resuming after it.
 */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

class DbAdapter implements Adapter {
  constructor(
    private readonly kind: string,
    private readonly store: OidcStore,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.store.upsertPayload({
      kind: this.kind,
      id,
      payload: JSON.stringify(payload),
      grant_id: GRANTABLE.has(this.kind) ? (payload.grantId ?? null) : null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      client_id: payload.clientId ?? null,
      expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
    });
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.load({ id });
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.load({ uid });
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.load({ userCode });
  }

  async consume(id: string): Promise<void> {
    await this.store.consumePayload(this.kind, id);
  }

  async destroy(id: string): Promise<void> {
    await this.store.destroyPayload(this.kind, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.store.destroyByGrant(grantId);
  }

  private async load(where: { id?: string; uid?: string; userCode?: string }): Promise<AdapterPayload | undefined> {
    const row = await this.store.findPayload(this.kind, where);
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // The provider detects reuse of codes and rotated refresh tokens by this epoch-seconds mark.
    if (row.consumed_at) payload.consumed = Math.floor(Date.parse(row.consumed_at) / 1000);
    return payload;
  }
}

function clientAdapter(lookupClient: ClientLookup): Adapter {
  const readOnly = async (): Promise<void> => {
    throw new Error('OIDC clients are managed through the admin API, not by the provider');
  };
  return {
    find: (id) => lookupClient(id),
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    upsert: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: async () => {},
  };
}
