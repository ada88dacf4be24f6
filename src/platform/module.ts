import type { FastifyInstance } from 'fastify';
import type { MigrationSet } from './db/migrations.js';
import type { Platform } from './platform.js';

/** A portal tile. Title and description come from the web app's i18n under `modules.<id>`. */
export interface ModuleTile {
  id: string;
  path: string;
  order: number;
  /** Only people for whom this is true see the tile (e.g. admin console). */
  adminOnly?: boolean;
}

/**
 * What a domain module registers with the server. Modules are created by the composition root
 * (src/server/main.ts), which passes each the services of the modules it depends on.
 */
export interface TesseraModule {
  id: string;
  migrations?: MigrationSet;
  tiles?: ModuleTile[];
  /** Adds REST routes and protocol handlers; runs after migrations. */
  registerRoutes?(app: FastifyInstance): Promise<void> | void;
  /** Defines job handlers on platform.jobs; runs before workers start. */
  registerJobs?(platform: Platform): void;
  /** Runs once the database is migrated (e.g. first-run setup). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** For /readyz and `tessera doctor`: throws when the module cannot serve. */
  check?(): Promise<void>;
  /** For the admin status: the state of services the module depends on (e.g. a virus scanner). */
  services?(): Promise<Record<string, ServiceStatus>>;
}

/** One dependency's state; `kind: 'off'` when it is optional and not configured. */
export interface ServiceStatus {
  kind: string;
  ok: boolean;
  error?: string;
}
