import type { AdapterPayload } from 'oidc-provider';
import type { Platform } from '../../platform/platform.js';
import { now } from '../../platform/db/database.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { randomToken } from '../../platform/crypto/tokens.js';
import type { Actor } from '../identity/types.js';
import type { SecretBox } from './secretBox.js';
import type { OidcClientRow, OidcStore } from './store.js';

export interface OidcClient {
  id: string;
  name: string;
  public: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  skipConsent: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewOidcClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  public?: boolean;
  skipConsent?: boolean;
}

export type OidcClientPatch = Partial<Pick<OidcClient, 'name' | 'redirectUris' | 'postLogoutRedirectUris' | 'skipConsent'>>;

/**
 * Apps that may sign people in with Tessera. Confidential clients get a secret shown once; it is
 * stored sealed because client_secret_basic needs the provider to compare the plain value.
 */
export class OidcClientService {
  constructor(
    private readonly platform: Platform,
    private readonly store: OidcStore,
    private readonly box: SecretBox,
  ) {}

  async list(): Promise<OidcClient[]> {
    return (await this.store.listClients()).map(toClient);
  }

  async get(id: string): Promise<OidcClient> {
    return toClient(await this.row(id));
  }

  async create(input: NewOidcClient, actor: Actor): Promise<{ client: OidcClient; clientSecret?: string }> {
    const at = now();
    const isPublic = input.public ?? false;
    const clientSecret = isPublic ? undefined : randomToken(32);
    const row: OidcClientRow = {
      id: randomToken(18),
      name: input.name,
      is_public: isPublic ? 1 : 0,
      secret_sealed: clientSecret ? this.box.seal(clientSecret) : null,
      redirect_uris: JSON.stringify(input.redirectUris),
      post_logout_redirect_uris: JSON.stringify(input.postLogoutRedirectUris ?? []),
      skip_consent: input.skipConsent ? 1 : 0,
      created_by: actor.id,
      created_at: at,
      updated_at: at,
    };
    await this.platform.database.transaction(async (tx) => {
      await this.store.insertClient(row, tx);
      await this.platform.audit.append(
        { action: 'oidc.client.create', actor, ip: actor.ip, target: { type: 'oidc_client', id: row.id }, details: describe(toClient(row)) },
        tx,
      );
    });
    return { client: toClient(row), ...(clientSecret ? { clientSecret } : {}) };
  }

  async update(id: string, patch: OidcClientPatch, actor: Actor): Promise<OidcClient> {
    return this.platform.database.transaction(async (tx) => {
      const before = await this.store.getClient(id, tx);
      if (!before) throw notFound();
      const changes: Partial<OidcClientRow> = { updated_at: now() };
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.redirectUris !== undefined) changes.redirect_uris = JSON.stringify(patch.redirectUris);
      if (patch.postLogoutRedirectUris !== undefined) changes.post_logout_redirect_uris = JSON.stringify(patch.postLogoutRedirectUris);
      if (patch.skipConsent !== undefined) changes.skip_consent = patch.skipConsent ? 1 : 0;
      await this.store.updateClient(id, changes, tx);
      const after = toClient({ ...before, ...changes });
      await this.platform.audit.append(
        { action: 'oidc.client.update', actor, ip: actor.ip, target: { type: 'oidc_client', id }, details: { changed: Object.keys(patch), ...describe(after) } },
        tx,
      );
      return after;
    });
  }

  /** Deleting an app also ends every code, token and grant it holds. */
  async delete(id: string, actor: Actor): Promise<void> {
    await this.platform.database.transaction(async (tx) => {
      const row = await this.store.getClient(id, tx);
      if (!row) throw notFound();
      await this.store.destroyByClient(id, tx);
      await this.store.deleteClient(id, tx);
      await this.platform.audit.append({ action: 'oidc.client.delete', actor, ip: actor.ip, target: { type: 'oidc_client', id }, details: { name: row.name } }, tx);
    });
  }

  async regenerateSecret(id: string, actor: Actor): Promise<{ client: OidcClient; clientSecret: string }> {
    const clientSecret = randomToken(32);
    const client = await this.platform.database.transaction(async (tx) => {
      const row = await this.store.getClient(id, tx);
      if (!row) throw notFound();
      if (row.is_public) throw new ConflictError('This app is public (it signs in with PKCE) and has no secret to regenerate.', 'public_client');
      const changes = { secret_sealed: this.box.seal(clientSecret), updated_at: now() };
      await this.store.updateClient(id, changes, tx);
      await this.platform.audit.append({ action: 'oidc.client.secret', actor, ip: actor.ip, target: { type: 'oidc_client', id }, details: { name: row.name } }, tx);
      return toClient({ ...row, ...changes });
    });
    return { client, clientSecret };
  }

  async skipsConsent(id: string): Promise<boolean> {
    const row = await this.store.getClient(id);
    return row?.skip_consent === 1;
  }

  /** The client as oidc-provider metadata, or undefined for unknown ids. */
  async providerMetadata(id: string): Promise<AdapterPayload | undefined> {
    const row = await this.store.getClient(id);
    if (!row) return undefined;
    const base: AdapterPayload = {
      client_id: row.id,
      client_name: row.name,
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: parseList(row.redirect_uris),
      post_logout_redirect_uris: parseList(row.post_logout_redirect_uris),
    };
    if (row.is_public || !row.secret_sealed) return { ...base, token_endpoint_auth_method: 'none' };
    return { ...base, token_endpoint_auth_method: 'client_secret_basic', client_secret: this.box.open(row.secret_sealed) };
  }

  private async row(id: string): Promise<OidcClientRow> {
    const row = await this.store.getClient(id);
    if (!row) throw notFound();
    return row;
  }
}

function notFound(): NotFoundError {
  return new NotFoundError('No OpenID Connect app with this id.');
}

function parseList(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function toClient(row: OidcClientRow): OidcClient {
  return {
    id: row.id,
    name: row.name,
    public: row.is_public === 1,
    redirectUris: parseList(row.redirect_uris),
    postLogoutRedirectUris: parseList(row.post_logout_redirect_uris),
    skipConsent: row.skip_consent === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function describe(c: OidcClient): Record<string, unknown> {
  return { name: c.name, public: c.public, redirectUris: c.redirectUris, postLogoutRedirectUris: c.postLogoutRedirectUris, skipConsent: c.skipConsent };
}
