import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { STACK, createPostgresDatabase, serverStackEnv, tempDir } from '../../src/test-support/stack.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Newest modification time of the server's TypeScript sources (what `build:server` compiles). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'web' && entry.name !== 'test-support') newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * The built CLI (what `npm test` builds first, and what people run) when it is newer than every
 * source file; otherwise the sources through tsx, so a stale build is never what gets tested.
 */
function cliCommand(): string[] {
  const built = join(ROOT, 'dist/cli/main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource(join(ROOT, 'src'))) return ['bin/tessera.js'];
  return ['--import', 'tsx', 'src/cli/main.ts'];
}
const CLI = cliCommand();

/**
 * Environment for a `tessera` child process on the current stack: its own data folder, and on
 * the server stack its own PostgreSQL database, bucket prefix and the shared Redis.
 */
export async function stackEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    TESSERA_DATA_DIR: tempDir('tessera-cli-'),
    TESSERA_SECRET: 'cli-test-secret-cli-test-secret-0123456789',
    TESSERA_LOG_LEVEL: 'warn',
    TESSERA_HOST: '127.0.0.1',
    TESSERA_RATE_LIMIT_PER_MINUTE: '100000',
  };
  if (STACK === 'server') {
    const s = serverStackEnv();
    env.TESSERA_DATABASE_URL = await createPostgresDatabase(s.databaseUrl);
    env.TESSERA_REDIS_URL = s.redisUrl;
    env.TESSERA_BLOBS = `s3://tessera-test/${randomBytes(6).toString('hex')}?endpoint=${encodeURIComponent(s.s3Endpoint)}&region=us-east-1&forcePathStyle=true`;
    env.TESSERA_S3_ACCESS_KEY_ID = 'S3RVER';
    env.TESSERA_S3_SECRET_ACCESS_KEY = 'S3RVER';
  }
  return { ...env, ...extra };
}

/** The parent's environment minus any TESSERA_* setting, so only what a test names applies. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TESSERA_')) env[k] = v;
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTessera(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...baseEnv(), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Lines of JSON log the server printed on stdout. */
  logs: Record<string, unknown>[];
  setupUrl?: string;
  exited: Promise<number | null>;
}

/** Starts `tessera serve` and resolves once /readyz answers 200. */
export async function startServe(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...CLI, 'serve'], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env, TESSERA_PORT: String(port), TESSERA_PUBLIC_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: ServeProcess = {
    child,
    url,
    logs: [],
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  let buffer = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        proc.logs.push(entry);
        if (typeof entry.setupUrl === 'string') proc.setupUrl = entry.setupUrl;
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => (exitCode = c ?? -1));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`tessera serve exited with ${exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return proc;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`tessera serve was not ready within ${timeoutMs} ms: ${stderr}`);
}

/** A minimal cookie-aware client for the REST API, carrying the CSRF token on writes. */
export class ApiClient {
  private cookie = '';
  private csrf = '';
  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('tessera_session='));
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (typeof parsed.csrfToken === 'string') this.csrf = parsed.csrfToken;
    return { status: res.status, body: parsed };
  }
}
