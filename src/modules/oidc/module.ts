import type Provider from 'oidc-provider';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { TesseraModule } from '../../platform/module.js';
import type { IdentityModule } from '../identity/types.js';
import { OidcClientService } from './clients.js';
import { InteractionService } from './interactions.js';
import { loadSigningKeys } from './keys.js';
import { oidcMigrations } from './migrations.js';
import { MOUNT_PATH, mountProvider } from './mount.js';
import { createProvider } from './provider.js';
import { registerOidcRoutes } from './routes.js';
import { deriveKey, SecretBox } from './secretBox.js';
import { OidcStore } from './store.js';
import { tesseraAuthFromCookies } from './tesseraSession.js';

export interface OidcModule extends TesseraModule {
  clients: OidcClientService;
  /** The running provider; available once routes are registered. */
  provider(): Provider;
}

const SWEEP_EVERY_MS = 15 * 60_000;

/** OpenID Connect provider: apps sign people in with their Tessera account. */
export function createOidcModule(platform: Platform, identity: IdentityModule): OidcModule {
  const store = new OidcStore(platform.database);
  const box = new SecretBox(platform.secret);
  const clients = new OidcClientService(platform, store, box);
  let provider: Provider | undefined;
  const current = (): Provider => {
    if (!provider) throw new Error('The OIDC provider is not started yet');
    return provider;
  };
  const interactions = new InteractionService(platform, current);
  let sweeper: NodeJS.Timeout | undefined;

  return {
    id: 'oidc',
    migrations: oidcMigrations,
    clients,
    provider: current,
    async registerRoutes(app: FastifyInstance) {
      provider = createProvider({
        issuer: `${platform.config.publicUrl}${MOUNT_PATH}`,
        publicUrl: platform.config.publicUrl,
        trustProxy: platform.config.trustProxy,
        cookieKeys: [deriveKey(platform.secret, 'tessera-oidc-cookies')],
        signingKeys: await loadSigningKeys(store, box),
        store,
        clients,
        identity: identity.service,
        tesseraAuth: (cookieHeader) => tesseraAuthFromCookies(identity.service, cookieHeader),
        log: platform.log,
      });
      await mountProvider(app, provider, platform.config.cookieSecure);
      registerOidcRoutes(app, identity, clients, interactions);
    },
    async start() {
      // Expired codes, tokens and sessions are invisible already; this only reclaims space.
      sweeper = setInterval(() => {
        store.deleteExpired().catch((err: unknown) => platform.log.warn({ err }, 'OIDC cleanup failed'));
      }, SWEEP_EVERY_MS);
      sweeper.unref();
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
    },
    async check() {
      current();
    },
  };
}
