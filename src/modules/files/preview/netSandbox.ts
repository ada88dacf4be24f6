import { spawn } from 'node:child_process';

/**
 * Runs a converter without network access: `unshare` gives it new user and network namespaces, so
 * it has only a loopback that is down. A document with links to outside servers (or to the intranet
 * behind Tessera) cannot make LibreOffice fetch them. Needs util-linux's unshare and unprivileged user
 * namespaces (Debian's default); the first variant that works here is used.
 */
const VARIANTS: string[][] = [
  // Keeps the service user's own id inside (util-linux 2.38 and later).
  ['--user', '--map-current-user', '--net'],
  // Older util-linux: the process is "root" only inside its own namespace.
  ['--user', '--map-root-user', '--net'],
];

export interface NetSandbox {
  /** The command and arguments that run `cmd args` without network, or null when this host cannot. */
  wrap(cmd: string, args: string[]): Promise<{ cmd: string; args: string[] } | null>;
}

export function createNetSandbox(unshare = 'unshare'): NetSandbox {
  let chosen: Promise<string[] | null> | undefined;
  return {
    async wrap(cmd, args) {
      chosen ??= pickVariant(unshare);
      const flags = await chosen;
      return flags ? { cmd: unshare, args: [...flags, '--', cmd, ...args] } : null;
    },
  };
}

async function pickVariant(unshare: string): Promise<string[] | null> {
  for (const flags of VARIANTS) if (await succeeds(unshare, [...flags, '--', 'true'])) return flags;
  return null;
}

function succeeds(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}
