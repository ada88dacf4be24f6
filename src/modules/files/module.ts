import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { ServiceStatus, TesseraModule } from '../../platform/module.js';
import type { IdentityModule } from '../identity/types.js';
import { DELETE_BLOBS_JOB, INDEX_CONTENT_JOB, type FilesContext } from './context.js';
import { filesMigrations } from './migrations.js';
import { registerFilesRoutes } from './routes.js';
import { registerPublicLinkRoutes } from './publicRoutes.js';
import { createFilesService, type FilesService } from './service.js';
import { FilesStore } from './store.js';
import { sweepOrphanBlobs } from './commands/sweepOrphans.js';
import { purgeExpiredTrash } from './commands/trash.js';
import { deleteSpacesOfDeletedPeople } from './commands/deletedOwners.js';
import { registerWebdav } from './webdav/plugin.js';
import { registerFilesAdminRoutes } from './adminRoutes.js';
import { DROP_RENDITIONS_JOB, dropStaleRenditions, sweepStaleRenditions } from './preview/cleanup.js';
import { registerUploadRoutes } from './uploads/routes.js';
import { sweepExpiredUploads } from './uploads/uploads.js';
import { registerWopi } from './wopi/plugin.js';
import { createClamdScanner } from './scan/clamd.js';
import { registerQuarantineRoutes } from './scan/routes.js';
import { ScannerUnavailableError } from './scan/errors.js';
import { forgetOldOpens } from './commands/favorites.js';
import { drainIndexQueue, indexMissing } from './search/indexContent.js';
import { deleteContent } from './content.js';

const SWEEP_EVERY_MS = 3600_000;

export interface FilesModule extends TesseraModule {
  service: FilesService;
  /** For tests and `tessera doctor`: removes blobs of uploads that never committed. */
  sweepOrphans(olderThanMs?: number): Promise<number>;
  /** Deletes for good what has been in the trash longer than the retention (30 days by default). */
  purgeExpiredTrash(retentionMs?: number): Promise<number>;
  /** Deletes the personal spaces of people who were deleted. */
  deleteSpacesOfDeletedPeople(): Promise<number>;
  /** Removes resumable uploads past their expiry (as of `at`) with their parts. */
  sweepExpiredUploads(at?: Date): Promise<number>;
  /** Queues text extraction for files the search index has not seen yet; returns how many. */
  indexMissing(batch?: number): Promise<number>;
}

/** Personal and group files: REST under /api/files, WebDAV under /dav, office editors (WOPI) under /wopi. */
export function createFilesModule(platform: Platform, identity: IdentityModule): FilesModule {
  const ctx: FilesContext = { platform, store: new FilesStore(platform.database), identity: identity.service };
  const clamav = platform.config.clamav;
  if (clamav) ctx.scanner = { client: createClamdScanner(clamav.address, clamav.timeoutMs, clamav.maxBytes), mode: clamav.mode };
  const service = createFilesService(ctx);

  async function virusScannerStatus(): Promise<ServiceStatus> {
    if (!ctx.scanner) return { kind: 'off', ok: true };
    const kind = `clamd ${ctx.scanner.client.address} (${ctx.scanner.mode})`;
    try {
      await ctx.scanner.client.ping();
      return { kind, ok: true };
    } catch (e) {
      return { kind, ok: false, error: `${e instanceof ScannerUnavailableError ? e.reason : (e as Error).message}; uploads are refused until clamd answers.` };
    }
  }
  /** Listed only when LibreOffice is there: its conversions should run without network (preview/netSandbox.ts). */
  async function officeSandboxStatus(): Promise<Record<string, ServiceStatus>> {
    const office = await service.previews.officeStatus();
    if (!office.soffice) return {};
    return {
      officeSandbox: office.networkIsolated
        ? { kind: 'unshare (no network)', ok: true }
        : { kind: 'none', ok: false, error: 'LibreOffice runs with network access: install util-linux (unshare) and allow unprivileged user namespaces, so a document cannot make it fetch links.' },
    };
  }
  let sweeper: NodeJS.Timeout | undefined;
  return {
    id: 'files',
    migrations: filesMigrations,
    tiles: [{ id: 'files', path: '/files', order: 10 }],
    service,
    sweepOrphans: (olderThanMs) => sweepOrphanBlobs(ctx, olderThanMs),
    purgeExpiredTrash: (retentionMs) => purgeExpiredTrash(ctx, retentionMs),
    deleteSpacesOfDeletedPeople: () => deleteSpacesOfDeletedPeople(ctx),
    sweepExpiredUploads: (at) => sweepExpiredUploads(ctx, at),
    indexMissing: (batch) => indexMissing(ctx, batch),
    registerJobs(p: Platform) {
      p.jobs.define(DELETE_BLOBS_JOB, {
        async handler(payload) {
          const keys = (payload as { keys?: unknown }).keys;
          if (!Array.isArray(keys)) return;
          for (const key of keys) {
            // Copies share blobs: a blob goes only when no file or version names it any more.
            if (typeof key === 'string' && !(await ctx.store.isBlobReferenced(key))) await deleteContent(ctx, key);
          }
          // Purged content takes its previews with it.
          await dropStaleRenditions(ctx, keys.filter((k): k is string => typeof k === 'string'));
        },
      });
      p.jobs.define(DROP_RENDITIONS_JOB, {
        async handler(payload) {
          const keys = (payload as { sourceKeys?: unknown }).sourceKeys;
          if (Array.isArray(keys)) await dropStaleRenditions(ctx, keys.filter((k): k is string => typeof k === 'string'));
        },
      });
      p.jobs.define(INDEX_CONTENT_JOB, {
        maxAttempts: 3,
        async handler(_payload, job) {
          await drainIndexQueue(ctx, job.signal);
        },
      });
    },
    async services() {
      return { virusScanner: await virusScannerStatus(), ...(await officeSandboxStatus()) };
    },
    async start() {
      const sweep = () => {
        sweepOrphanBlobs(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not sweep orphaned upload blobs'));
        purgeExpiredTrash(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not purge expired trash'));
        forgetOldOpens(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not forget old file opens'));
        deleteSpacesOfDeletedPeople(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not delete the files of deleted people'));
        sweepStaleRenditions(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not sweep stale previews'));
        sweepExpiredUploads(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not remove expired uploads'));
        indexMissing(ctx).catch((err: unknown) => platform.log.warn({ err }, 'could not queue files for the search index'));
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
      await registerUploadRoutes(app, identity, service);
      await registerWopi(app, platform, service, identity);
      registerQuarantineRoutes(app, ctx, identity);
      registerFilesAdminRoutes(app, identity, service);
    },
  };
}
