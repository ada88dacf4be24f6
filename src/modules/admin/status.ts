import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import type { Platform } from '../../platform/platform.js';
import type { TesseraModule } from '../../platform/module.js';

export interface ComponentStatus {
  kind: string;
  ok: boolean;
  error?: string;
}

export interface InstanceStatus {
  version: string;
  uptimeSeconds: number;
  database: ComponentStatus;
  blobs: ComponentStatus;
  bus: ComponentStatus;
  jobs: { queued: number; running: number; done: number; failed: number };
  disk: { path: string; freeBytes: number; totalBytes: number } | { path: string; error: string };
  modules: string[];
  /** Optional system tools some modules use when present (document conversion, virus scanning, SFU). */
  tools: Record<string, boolean>;
  /** Services modules depend on, as `<module>.<service>` (e.g. `files.virusScanner`). */
  services: Record<string, ComponentStatus>;
}

/** Binaries that unlock optional features; any one name of each entry is enough. */
const OPTIONAL_TOOLS: Record<string, string[]> = {
  libreoffice: ['soffice', 'libreoffice'],
  clamav: ['clamdscan', 'clamscan'],
  janus: ['janus'],
};

export async function collectStatus(platform: Platform, modules: TesseraModule[]): Promise<InstanceStatus> {
  const [database, blobs, bus, jobs, disk, tools, services] = await Promise.all([
    probe(platform.database.dialect, () => platform.database.ping()),
    probe(platform.blobs.kind, () => platform.blobs.check()),
    probe(platform.bus.kind, () => platform.bus.check()),
    platform.jobs.counts(),
    diskOf(platform.config.dataDir),
    detectTools(undefined, { libreoffice: platform.config.office.soffice }),
    servicesOf(modules),
  ]);
  return {
    version: platform.version,
    uptimeSeconds: Math.floor((Date.now() - platform.startedAt.getTime()) / 1000),
    database,
    blobs,
    bus,
    jobs: { queued: jobs.queued ?? 0, running: jobs.running ?? 0, done: jobs.done ?? 0, failed: jobs.failed ?? 0 },
    disk,
    modules: modules.map((m) => m.id),
    tools,
    services,
  };
}

async function servicesOf(modules: TesseraModule[]): Promise<Record<string, ComponentStatus>> {
  const out: Record<string, ComponentStatus> = {};
  for (const m of modules) {
    if (!m.services) continue;
    try {
      for (const [name, s] of Object.entries(await m.services())) out[`${m.id}.${name}`] = s;
    } catch (e) {
      out[m.id] = { kind: m.id, ok: false, error: (e as Error).message };
    }
  }
  return out;
}

async function probe(kind: string, check: () => Promise<void>): Promise<ComponentStatus> {
  try {
    await check();
    return { kind, ok: true };
  } catch (e) {
    return { kind, ok: false, error: (e as Error).message };
  }
}

async function diskOf(path: string): Promise<InstanceStatus['disk']> {
  try {
    const s = await statfs(path);
    return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch (e) {
    return { path, error: (e as Error).message };
  }
}

/** `configured`: a tool's path set by the administrator (checked instead of PATH; 'off' = disabled). */
export async function detectTools(pathEnv = process.env.PATH ?? '', configured: Record<string, string | undefined> = {}): Promise<Record<string, boolean>> {
  const dirs = pathEnv.split(delimiter).filter(Boolean);
  const result: Record<string, boolean> = {};
  await Promise.all(
    Object.entries(OPTIONAL_TOOLS).map(async ([tool, names]) => {
      const path = configured[tool];
      if (path === 'off') result[tool] = false;
      else if (path) result[tool] = await anyExecutable([dirname(path)], [basename(path)]);
      else result[tool] = await anyExecutable(dirs, names);
    }),
  );
  return result;
}

async function anyExecutable(dirs: string[], names: string[]): Promise<boolean> {
  for (const dir of dirs) {
    for (const name of names) {
      try {
        await access(join(dir, name), constants.X_OK);
        return true;
      } catch {
        /* not in this folder */
      }
    }
  }
  return false;
}
