import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import staticFiles from '@fastify/static';
import type { Config } from '../platform/config/config.js';
import { createPlatform, type Platform } from '../platform/platform.js';
import { migrate } from '../platform/db/migrations.js';
import { platformMigrations } from '../platform/db/platformMigrations.js';
import { createHttpServer } from '../platform/http/httpServer.js';
import type { TesseraModule } from '../platform/module.js';
import type { Logger } from '../platform/log/logger.js';
import { createIdentityModule } from '../modules/identity/module.js';
import type { IdentityModule } from '../modules/identity/types.js';
import { createOidcModule } from '../modules/oidc/module.js';
import { createAdminModule } from '../modules/admin/module.js';
import { createPortalModule } from '../modules/portal/module.js';
import { createFilesModule } from '../modules/files/module.js';

export interface TesseraServer {
  app: FastifyInstance;
  platform: Platform;
  modules: TesseraModule[];
  /** Base URL the server listens on (http://127.0.0.1:port when started with port 0). */
  url: string;
  close(): Promise<void>;
}

/** Composition root: config -> platform -> modules -> listeners. */
export async function startServer(config: Config, opts: { logger?: Logger; listen?: boolean } = {}): Promise<TesseraServer> {
  const startedAt = performance.now();
  const platform = await createPlatform(config, opts);
  const { modules } = composeModules(platform);
  await migrateModules(platform, modules);

  for (const m of modules) m.registerJobs?.(platform);
  const app = await createHttpServer(platform, () => readiness(platform, modules));
  for (const m of modules) await m.registerRoutes?.(app);
  await serveWebApp(app);
  for (const m of modules) await m.start?.();
  if (config.runJobs) platform.jobs.start();

  let url = config.publicUrl;
  if (opts.listen !== false) {
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    if (address && typeof address === 'object' && config.port === 0) url = `http://127.0.0.1:${address.port}`;
  } else {
    await app.ready();
  }
  platform.log.info({ url: config.publicUrl, ms: Math.round(performance.now() - startedAt) }, 'Tessera is ready');

  let closed = false;
  return {
    app,
    platform,
    modules,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      for (const m of [...modules].reverse()) await m.stop?.();
      await platform.close();
    },
  };
}

/** Every module, wired to its dependencies; shared with the CLI so both see one schema. */
export function composeModules(platform: Platform): { identity: IdentityModule; modules: TesseraModule[] } {
  const identity = createIdentityModule(platform);
  const oidc = createOidcModule(platform, identity);
  const modules: TesseraModule[] = [];
  const admin = createAdminModule(platform, identity, () => modules);
  const portal = createPortalModule(identity, () => modules);
  modules.push(identity, oidc, admin, portal, createFilesModule(platform, identity));
  return { identity, modules };
}

export async function migrateModules(platform: Platform, modules: TesseraModule[]): Promise<void> {
  const applied = await migrate(platform.database, [platformMigrations, ...modules.map((m) => m.migrations ?? {})]);
  if (applied.length) platform.log.info({ migrations: applied }, 'database migrated');
}

async function readiness(platform: Platform, modules: TesseraModule[]): Promise<Record<string, string>> {
  const checks: Record<string, () => Promise<void>> = {
    database: () => platform.database.ping(),
    blobs: () => platform.blobs.check(),
    bus: () => platform.bus.check(),
  };
  for (const m of modules) if (m.check) checks[m.id] = () => m.check!();
  const results: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
        results[name] = 'ok';
      } catch (e) {
        results[name] = (e as Error).message;
      }
    }),
  );
  return results;
}

/** The built React app (dist/web); any non-API path falls back to index.html for client routing. */
async function serveWebApp(app: FastifyInstance): Promise<void> {
  const root = fileURLToPath(new URL('../../dist/web/', import.meta.url));
  if (!existsSync(root)) {
    app.log.warn('dist/web is missing: run `npm run build` to serve the web app');
    return;
  }
  await app.register(staticFiles, { root, prefix: '/', wildcard: false, index: false, maxAge: '1h', immutable: false });
  const sendIndex = (_req: unknown, reply: import('fastify').FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');
  app.get('/', sendIndex);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const isApi = /^\/(api|oidc|dav|wopi|remote\.php|\.well-known)(\/|$)/.test(path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi || /\.[a-z0-9]+$/i.test(path)) {
      return reply.status(404).send({ error: { code: 'not_found', message: `No route for ${req.method} ${path}.` } });
    }
    return sendIndex(req, reply);
  });
}
