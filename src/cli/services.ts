import { userInfo } from 'node:os';
import { pino } from 'pino';
import type { Config } from '../platform/config/config.js';
import { createPlatform, type Platform } from '../platform/platform.js';
import type { Logger } from '../platform/log/logger.js';
import type { IdentityModule, Actor } from '../modules/identity/types.js';

export interface CliServices {
  platform: Platform;
  identity: IdentityModule;
  actor: Actor;
  close(): Promise<void>;
}

/** Logs of one-shot commands go to stderr so stdout stays clean for output such as `--json`. */
export function cliLogger(level = 'warn'): Logger {
  return pino({ name: 'tessera-cli', level }, pino.destination(2));
}

/**
 * The platform and modules without the HTTP listener or job workers: what a CLI command needs to
 * call the same services the REST routes call. Migrations run first, exactly as at server start.
 */
export async function openServices(config: Config): Promise<CliServices> {
  // Loaded on demand: every module comes with it, and `--help` or a usage error should not wait for that.
  const { composeModules, migrateModules } = await import('../server/main.js');
  const platform = await createPlatform(config, { logger: cliLogger() });
  try {
    const { identity, modules } = composeModules(platform);
    await migrateModules(platform, modules);
    return {
      platform,
      identity,
      actor: { id: null, name: `cli:${safeUserName()}`, ip: null },
      close: () => platform.close(),
    };
  } catch (e) {
    await platform.close().catch(() => {});
    throw e;
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
