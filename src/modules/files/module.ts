import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { TesseraModule } from '../../platform/module.js';
import type { IdentityModule } from '../identity/types.js';
import { DELETE_BLOBS_JOB, type FilesContext } from './context.js';
import { filesMigrations } from './migrations.js';
import { registerFilesRoutes } from './routes.js';
import { createFilesService, type FilesService } from './service.js';
import { FilesStore } from './store.js';
import { registerWebdav } from './webdav/plugin.js';

export interface FilesModule extends TesseraModule {
  service: FilesService;
}

/** Personal and group files: REST under /api/files, WebDAV under /dav. */
export function createFilesModule(platform: Platform, identity: IdentityModule): FilesModule {
  const ctx: FilesContext = { platform, store: new FilesStore(platform.database), identity: identity.service };
  const service = createFilesService(ctx);
  return {
    id: 'files',
    migrations: filesMigrations,
    tiles: [{ id: 'files', path: '/files', order: 10 }],
    service,
    registerJobs(p: Platform) {
      p.jobs.define(DELETE_BLOBS_JOB, {
        async handler(payload) {
          const keys = (payload as { keys?: unknown }).keys;
          if (!Array.isArray(keys)) return;
          for (const key of keys) {
            // Copies share blobs: a blob goes only when no file or version names it any more.
            if (typeof key === 'string' && !(await ctx.store.isBlobReferenced(key))) await platform.blobs.delete(key);
          }
        },
      });
    },
    async registerRoutes(app: FastifyInstance) {
      await registerFilesRoutes(app, identity, service);
      await registerWebdav(app, ctx, service, identity);
    },
  };
}
