import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { TesseraModule } from '../../platform/module.js';
import type { IdentityModule } from '../identity/types.js';
import { DELETE_BLOBS_JOB, type FilesContext } from './context.js';
import { filesMigrations } from './migrations.js';
import { registerFilesRoutes } from './routes.js';
import { registerPublicLinkRoutes } from './publicRoutes.js';
import { createFilesService, type FilesService } from './service.js';
import { FilesStore } from './store.js';
import { sweepOrphanBlobs } from './commands/sweepOrphans.js';
import { purgeExpiredTrash } from './commands/trash.js';
import { deleteSpacesOfDeletedPeople } from './commands/deletedOwners.js';
import { registerWebdav } from './webdav/plugin.js';

const SWEEP_EVERY_MS = 3600_000;

export interface FilesModule extends TesseraModule {
  service: FilesService;
  /** For tests and `tessera doctor`: removes blobs of uploads that never committed. */
  sweepOrphans(olderThanMs?: number): Promise<number>;
  /** Deletes for good what has been in the trash longer than the retention (30 days by default). */
  purgeExpiredTrash(retentionMs?: number): Promise<number>;
  /** Deletes the personal spaces of people who were deleted. */
  deleteSpacesOfDeletedPeople(): Promise<number>;
}

/** Personal and group files: REST under /api/files, WebDAV under /dav. */
export function createFilesModule(platform: Platform, identity: IdentityModule): FilesModule {
  const ctx: FilesContext = { platform, store: new FilesStore(platform.database), identity: identity.service };
  const service = createFilesService(ctx);
  let sweeper: NodeJS.Timeout | undefined;
  return {
    id: 'files',
    migrations: filesMigrations,
    tiles: [{ id: 'files', path: '/files', order: 10 }],
    service,
    sweepOrphans: (olderThanMs) => sweepOrphanBlobs(ctx, olderThanMs),
    purgeExpiredTrash: (retentionMs) => purgeExpiredTrash(ctx, retentionMs),
    deleteSpacesOfDeletedPeople: () => deleteSpacesOfDeletedPeople(ctx),
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
    async start() {
      const sweep = () => {
        sweepOrphanBlobs(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not sweep orphaned upload blobs'));
        purgeExpiredTrash(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not purge expired trash'));
        deleteSpacesOfDeletedPeople(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not delete the files of deleted people'));
      };
      sweep();
      sweeper = setInterval(sweep, SWEEP_EVERY_MS);
      sweeper.unref();
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
    },
    async registerRoutes(app: FastifyInstance) {
      await registerFilesRoutes(app, identity, service);
      await registerPublicLinkRoutes(app, service, platform.config.publicUrl.startsWith('https:'));
      await registerWebdav(app, ctx, service, identity);
    },
  };
}
