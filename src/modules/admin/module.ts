import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { TesseraModule } from '../../platform/module.js';
import type { IdentityModule } from '../identity/types.js';
import { registerAdminRoutes } from './routes.js';
import { SettingsService } from './settings.js';

export interface AdminModule extends TesseraModule {
  settings: SettingsService;
}

/** The admin console's API: audit trail, instance status, jobs and instance settings. */
export function createAdminModule(platform: Platform, identity: IdentityModule, modules: () => TesseraModule[]): AdminModule {
  const settings = new SettingsService(platform);
  return {
    id: 'admin',
    settings,
    tiles: [{ id: 'admin', path: '/admin', order: 90, adminOnly: true }],
    registerRoutes(app: FastifyInstance) {
      registerAdminRoutes(app, { platform, identity, modules, settings });
    },
  };
}
