import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import { actorOf, createGuards, registerAuthHook } from './auth.js';
import { identityMigrations } from './migrations.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerMeRoutes } from './routes/me.js';
import { registerSetupRoutes } from './routes/setup.js';
import { listenForForgets } from './commands/verifiedCache.js';
import { createIdentityContext, createIdentityService, type FullIdentityService } from './service.js';
import type { IdentityModule } from './types.js';

export type { IdentityModule } from './types.js';

export interface IdentityModuleImpl extends IdentityModule {
  service: FullIdentityService;
}

// Idle sessions are swept hourly; expiry itself is enforced on every request regardless.
const PRUNE_INTERVAL_MS = 3600_000;

/** People, groups, sign-in, sessions and second factors. */
export function createIdentityModule(platform: Platform): IdentityModuleImpl {
  const ctx = createIdentityContext(platform);
  const service = createIdentityService(ctx);
  let pruner: NodeJS.Timeout | undefined;
  let stopListening: (() => void) | undefined;
  return {
    id: 'identity',
    migrations: identityMigrations,
    service,
    guards: createGuards(),
    actorOf,
    async registerRoutes(app: FastifyInstance) {
      registerAuthHook(app, service, platform.config);
      const deps = { service, config: platform.config };
      registerSetupRoutes(app, deps);
      registerAuthRoutes(app, deps);
      await registerMeRoutes(app, deps);
      registerAdminRoutes(app, deps);
    },
    async start() {
      stopListening = listenForForgets(ctx);
      if (await service.setupNeeded()) await service.createSetupToken();
      pruner = setInterval(() => {
        service.pruneSessions().catch((err: unknown) => platform.log.warn({ err }, 'could not prune idle sessions'));
      }, PRUNE_INTERVAL_MS);
      pruner.unref();
    },
    async stop() {
      if (pruner) clearInterval(pruner);
      stopListening?.();
    },
    async check() {
      await service.countUsers();
    },
  };
}
