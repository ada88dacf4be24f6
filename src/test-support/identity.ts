import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startServer, type TesseraServer } from '../server/main.js';
import type { IdentityModuleImpl } from '../modules/identity/module.js';
import type { Actor, NewUser, UserView } from '../modules/identity/types.js';
import { testConfig } from './stack.js';

/** Actor for fixtures made by tests rather than by a person. */
export const TEST_ACTOR: Actor = { id: null, name: 'test', ip: '127.0.0.1' };

export interface TestServer {
  server: TesseraServer;
  /** http://127.0.0.1:<port> */
  url: string;
  identity: IdentityModuleImpl;
  /** The first-run token read from the server's warn log, or null when users existed already. */
  setupToken: string | null;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The identity module of a running server (with its full service). */
export function identityOf(server: TesseraServer): IdentityModuleImpl {
  const m = server.modules.find((x) => x.id === 'identity');
  if (!m) throw new Error('identity module missing');
  return m as IdentityModuleImpl;
}

/** A second server on the first one's database and blobs (each with its own event bus), as behind a load balancer. */
export async function startPeerServer(first: TestServer): Promise<TestServer> {
  const cfg = first.server.platform.config;
  const databaseUrl = cfg.database.kind === 'sqlite' ? `sqlite:${cfg.database.path}` : cfg.database.url;
  const blobs = cfg.blobs.kind === 'file' ? `file:${cfg.blobs.path}` : undefined;
  return startTestServer({}, { dataDir: cfg.dataDir, databaseUrl, ...(blobs ? { blobs } : {}) });
}

/**
 * testConfig + startServer on port 0 with a logger that records lines, so the first-run setup
 * token is captured the way an operator would read it. `overrides` go to testConfig.
 */
export async function startTestServer(overrides: Record<string, string | number | boolean> = {}, shared?: Parameters<typeof testConfig>[1]): Promise<TestServer> {
  const config = await testConfig(overrides, shared);
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not JSON: ignore */
        }
      }
      // TESSERA_TEST_LOG_LEVEL (debug, info...) also shows the lines, for debugging a test.
      if (echo) process.stderr.write(chunk);
      cb();
    },
  });
  const wanted = process.env.TESSERA_TEST_LOG_LEVEL;
  const echo = wanted !== undefined && wanted !== 'silent';
  // Never quieter than warn: the setup link is logged at warn and must be captured.
  const level = echo && ['trace', 'debug', 'info'].includes(wanted) ? wanted : 'warn';
  const logger = pino({ level }, stream);
  const server = await startServer(config, { logger });
  const setupUrl = logs.map((l) => l.setupUrl).find((u): u is string => typeof u === 'string');
  return {
    server,
    url: server.url,
    identity: identityOf(server),
    setupToken: setupUrl ? new URL(setupUrl).searchParams.get('token') : null,
    logs,
    close: () => server.close(),
  };
}

/** Creates a person through the identity service (no HTTP); the password defaults to `<username>-password-1`. */
export async function createUser(
  server: TesseraServer | TestServer,
  input: Partial<NewUser> & { username: string },
): Promise<{ user: UserView; password: string }> {
  const s = 'server' in server ? server.server : server;
  const password = input.password ?? `${input.username}-password-1`;
  const { user } = await identityOf(s).service.createUser(
    { email: `${input.username}@example.org`, displayName: input.username, ...input, password },
    TEST_ACTOR,
  );
  return { user, password };
}

export interface TestResponse<T> {
  status: number;
  body: T;
  headers: Headers;
  /** `error.code` of a failure answer, else undefined. */
  code: string | undefined;
}

export interface TestClient {
  get<T = unknown>(path: string): Promise<TestResponse<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<TestResponse<T>>;
  put<T = unknown>(path: string, body?: unknown, contentType?: string): Promise<TestResponse<T>>;
  patch<T = unknown>(path: string, body?: unknown): Promise<TestResponse<T>>;
  del<T = unknown>(path: string, body?: unknown): Promise<TestResponse<T>>;
  /** `tessera_session=<token>` as sent, or '' when signed out. */
  cookie: string;
  csrf: string;
  /** The answer of the sign-in (or setup) request that created this client. */
  login: Record<string, unknown>;
}

/** A tiny fetch client that keeps the session cookie and sends the CSRF header on writes. */
export function client(baseUrl: string, init: { cookie?: string; csrf?: string } = {}): TestClient {
  const c: TestClient = {
    cookie: init.cookie ?? '',
    csrf: init.csrf ?? '',
    login: {},
    get: (p) => send('GET', p),
    post: (p, b) => send('POST', p, b),
    put: (p, b, t) => send('PUT', p, b, t),
    patch: (p, b) => send('PATCH', p, b),
    del: (p, b) => send('DELETE', p, b),
  };
  async function send<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<TestResponse<T>> {
    const headers: Record<string, string> = {};
    if (c.cookie) headers.cookie = c.cookie;
    if (c.csrf && method !== 'GET') headers['x-csrf-token'] = c.csrf;
    let payload: string | Uint8Array | undefined;
    if (Buffer.isBuffer(body)) {
      payload = new Uint8Array(body);
      headers['content-type'] = contentType ?? 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body: payload as BodyInit | undefined });
    const setCookie = res.headers.getSetCookie().find((h) => h.startsWith('tessera_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0]!;
      c.cookie = value === 'tessera_session=' ? '' : value;
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    const code =
      typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof (parsed as { error: { code?: unknown } }).error.code === 'string'
        ? (parsed as { error: { code: string } }).error.code
        : undefined;
    return { status: res.status, body: parsed as T, headers: res.headers, code };
  }
  return c;
}

/**
 * Signs in through POST /api/auth/login and returns a client holding the session. Throws unless
 * the answer is 200; `client.login.status` tells whether a second factor or enrolment is due.
 */
export async function signIn(baseUrl: string, login: string, password: string): Promise<TestClient> {
  const c = client(baseUrl);
  const res = await c.post<Record<string, unknown>>('/api/auth/login', { login, password });
  if (res.status !== 200) throw new Error(`sign-in as ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
  c.csrf = String(res.body.csrfToken);
  c.login = res.body;
  return c;
}

/** Completes first-run setup with the captured token; returns the signed-in administrator's client. */
export async function setupAdmin(ts: TestServer, input: { username?: string; password?: string } = {}): Promise<TestClient> {
  if (!ts.setupToken) throw new Error('no setup token was logged');
  const username = input.username ?? 'admin';
  const c = client(ts.url);
  const res = await c.post<Record<string, unknown>>('/api/setup', {
    token: ts.setupToken,
    username,
    email: `${username}@example.org`,
    displayName: 'Administrator',
    password: input.password ?? 'admin-password-1',
  });
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${JSON.stringify(res.body)}`);
  c.csrf = String(res.body.csrfToken);
  c.login = res.body;
  return c;
}
