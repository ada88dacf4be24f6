import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import { sha256Hex } from '../../platform/crypto/tokens.js';
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

/**
 * Models whose id is itself a bearer credential (the opaque token an app or browser presents).
 * Only their SHA-256 is stored, and their payload without its `jti`, so a copy of the database
 * yields no working code or token. Sessions and interactions travel in signed cookies instead.
 */
const BEARER = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'ClientCredentials', 'DeviceCode', 'BackchannelAuthenticationRequest', 'RegistrationAccessToken', 'InitialAccessToken']);

class DbAdapter implements Adapter {
  private readonly hashed: boolean;

  constructor(
    private readonly kind: string,
    private readonly store: OidcStore,
  ) {
    this.hashed = BEARER.has(kind);
  }

  private key(id: string): string {
    return this.hashed ? sha256Hex(id) : id;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const stored: AdapterPayload = { ...payload };
    if (this.hashed) delete stored.jti;
    await this.store.upsertPayload({
      kind: this.kind,
      id: this.key(id),
      payload: JSON.stringify(stored),
      grant_id: GRANTABLE.has(this.kind) ? (payload.grantId ?? null) : null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      client_id: payload.clientId ?? null,
      expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (!this.hashed) return this.load({ id });
    const payload = await this.load({ id: this.key(id) });
    if (payload) return { ...payload, jti: id };
    // Rows written before ids were hashed keep their plain id and carry it as jti; a stored hash
    // presented as a token finds a hashed row, which has no jti, and is refused.
    const legacy = await this.load({ id });
    return legacy?.jti === id ? legacy : undefined;
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.load({ uid });
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.load({ userCode });
  }

  async consume(id: string): Promise<void> {
    await this.store.consumePayload(this.kind, this.key(id));
    if (this.hashed) await this.store.consumePayload(this.kind, id);
  }

  async destroy(id: string): Promise<void> {
    await this.store.destroyPayload(this.kind, this.key(id));
    if (this.hashed) await this.store.destroyPayload(this.kind, id);
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
