import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Limiter } from './limiter.js';
import { createNetSandbox, type NetSandbox } from './netSandbox.js';

export class OfficeUnavailableError extends Error {
  constructor() {
    super('LibreOffice (soffice) is not installed on the server');
  }
}

export class ConversionFailedError extends Error {}

export interface OfficeConverter {
  /** The soffice binary, or null when office previews are off or LibreOffice is not installed. */
  available(): Promise<string | null>;
  /** Converts a document (named by its extension) to `pdf` or `png` (first page); throws ConversionFailedError. */
  convert(input: Buffer, extension: string, to: 'pdf' | 'png'): Promise<Buffer>;
  /** Whether conversions run without network access (see netSandbox.ts). */
  networkIsolated(): Promise<boolean>;
}

/** soffice or libreoffice on PATH, or the configured path; null when it is not executable. */
export async function findSoffice(configured: string, pathEnv = process.env.PATH ?? ''): Promise<string | null> {
  if (configured === 'off') return null;
  const candidates = configured
    ? [configured]
    : pathEnv
        .split(delimiter)
        .filter((d) => isAbsolute(d))
        .flatMap((d) => [join(d, 'soffice'), join(d, 'libreoffice')]);
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      /* try the next one */
    }
  }
  return null;
}

/**
 * LibreOffice headless as a converter. Each conversion runs in its own process group with a
 * private profile (one per slot, so two conversions never share one and none touches the
 * service user's own), never longer than the timeout, at most `conversions` at a time.
 */
export function createOfficeConverter(opts: { soffice: string; timeoutSeconds: number; conversions: number; sandbox?: NetSandbox }): OfficeConverter {
  const limiter = new Limiter(opts.conversions);
  const sandbox = opts.sandbox ?? createNetSandbox();
  let found: Promise<string | null> | undefined;
  let checkedAt = 0;
  const available = () => {
    // Looked up again now and then, so installing LibreOffice needs no restart.
    if (!found || Date.now() - checkedAt > 60_000) {
      checkedAt = Date.now();
      found = findSoffice(opts.soffice);
    }
    return found;
  };
  const profileRoot = join(tmpdir(), `tessera-soffice-${process.pid}`);

  return {
    available,
    networkIsolated: async () => (await sandbox.wrap('true', [])) !== null,
    async convert(input, extension, to) {
      const soffice = await available();
      if (!soffice) throw new OfficeUnavailableError();
      return limiter.run(async (slot) => {
        const work = await mkdtemp(join(tmpdir(), 'tessera-convert-'));
        const profile = join(profileRoot, `slot-${slot}`);
        try {
          await mkdir(profile, { recursive: true });
          const source = join(work, `document.${/^[a-z0-9]{1,8}$/.test(extension) ? extension : 'bin'}`);
          await writeFile(source, input);
          const out = join(work, 'out');
          await mkdir(out);
          const args = ['--headless', '--norestore', '--nologo', '--nodefault', '--nolockcheck', `-env:UserInstallation=${pathToFileURL(profile).href}`, '--convert-to', to, '--outdir', out, source];
          // Without network when the host allows it; otherwise as before (the admin status says which).
          const run = (await sandbox.wrap(soffice, args)) ?? { cmd: soffice, args };
          const result = await runProcessGroup(run.cmd, run.args, { cwd: work, timeoutMs: opts.timeoutSeconds * 1000, env: { ...process.env, HOME: work } });
          if (result.timedOut) {
            // A killed LibreOffice can leave its profile locked or half-written: start the next one afresh.
            await rm(profile, { recursive: true, force: true });
            throw new ConversionFailedError(`LibreOffice took longer than ${opts.timeoutSeconds} s and was stopped`);
          }
          const produced = (await readdir(out)).find((f) => f.endsWith(`.${to}`));
          if (!produced) throw new ConversionFailedError(`LibreOffice could not convert this document (exit ${result.code}): ${result.stderr.slice(-300).trim()}`);
          return await readFile(join(out, produced));
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      });
    },
  };
}

/** Runs a command in a process group of its own, so a timeout kills it and everything it started. */
function runProcessGroup(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; timedOut: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 10_000) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ConversionFailedError(`LibreOffice could not be started: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stderr });
    });
  });
}
