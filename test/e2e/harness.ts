import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, expect } from 'vitest';
import { startServer, type TesseraServer } from '../../src/server/main.js';
import { testConfig } from '../../src/test-support/stack.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const webSrc = join(repo, 'src/web');
const webOut = join(repo, 'dist/web/index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the web app when dist/web is missing or older than any file under src/web. */
export function ensureWebBuilt(): void {
  if (existsSync(webOut) && statSync(webOut).mtimeMs >= newestMtime(webSrc)) return;
  execFileSync(process.execPath, [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src/web/vite.config.ts', '--logLevel', 'warn'], { cwd: repo, stdio: 'inherit' });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface E2eServer {
  server: TesseraServer;
  url: string;
  origin: string;
  /** The first-run setup link from the log, rewritten to the address the server listens on. */
  setupUrl(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real Tessera server in this process, on a fixed free port so its public URL (cookies,
 * Origin checks, links) is exactly the address the browser uses. The log is captured to
 * find the setup link.
 */
export async function startTessera(opts: { hostname?: '127.0.0.1' | 'localhost'; config?: Record<string, string> } = {}): Promise<E2eServer> {
  const port = await freePort();
  // WebAuthn refuses IP addresses as relying-party IDs, so its journey uses "localhost".
  const url = `http://${opts.hostname ?? '127.0.0.1'}:${port}`;
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not JSON: ignore
        }
      }
      for (const w of waiters.splice(0)) w();
      if (process.env.TESSERA_E2E_LOG) process.stderr.write(chunk);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const config = await testConfig({ port, host: '127.0.0.1', publicUrl: url, logLevel: 'info', ...opts.config });
  const server = await startServer(config, { logger });

  const findSetup = (): string | null => {
    for (const l of lines) {
      const s = l.setupUrl;
      if (typeof s === 'string') return s;
      const msg = typeof l.msg === 'string' ? l.msg : '';
      const m = /https?:\/\/\S+\/setup\?token=\S+/.exec(msg);
      if (m) return m[0];
    }
    return null;
  };

  return {
    server,
    url,
    origin: new URL(url).origin,
    async setupUrl() {
      const deadline = Date.now() + 10_000;
      let found = findSetup();
      while (!found && Date.now() < deadline) {
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
        found = findSetup();
      }
      if (!found) throw new Error('No setupUrl in the server log');
      const u = new URL(found);
      return `${url}${u.pathname}${u.search}`;
    },
    close: () => server.close(),
  };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

export interface WatchedContext {
  context: BrowserContext;
  page: Page;
  /** Every request that went anywhere but the Tessera server. */
  foreign: string[];
  /** Console errors and page errors (CSP violations show up here). */
  errors: string[];
}

const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/**
 * A fresh browser context whose every request is recorded: anything not addressed to the
 * server's origin is a sovereignty failure. Such requests are also aborted, so a stray CDN
 * link cannot slow the run down.
 */
export async function watchedContext(browser: Browser, origin: string, opts: BrowserContextOptions = {}, configured: string[] = []): Promise<WatchedContext> {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Paris', ...opts });
  const foreign: string[] = [];
  const errors: string[] = [];
  const isLocal = (raw: string) => {
    try {
      const u = new URL(raw);
      // `configured`: destinations an administrator set up inside the deployment (an office editor).
      return LOCAL_SCHEMES.has(u.protocol) || u.origin === origin || configured.includes(u.origin);
    } catch {
      return false;
    }
  };
  context.on('request', (req) => {
    if (!isLocal(req.url())) foreign.push(`${req.method()} ${req.url()}`);
  });
  await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, foreign, errors };
}

export interface Journey {
  readonly tessera: E2eServer;
  readonly browser: Browser;
  /** The first watched context, opened at the start. */
  readonly ctx: WatchedContext;
  /**
   * Another watched context (a colleague, a signed-out visitor, a phone), closed and checked with
   * the rest at the end; `origin` when it visits a second Tessera the journey started itself.
   */
  open(opts?: BrowserContextOptions, origin?: string): Promise<WatchedContext>;
}

export interface JourneyOptions {
  /** How to start Tessera; read when the journey starts, after the hooks registered before it. */
  tessera?: () => Parameters<typeof startTessera>[0];
  /** Origins besides the deployment's that pages may reach (a server the administrator configured). */
  configured?: () => string[];
}

/**
 * The frame of a browser journey, called at the top of its file or describe(): the web build, one
 * Tessera, one Chromium and a first watched context before the tests; at the end every context is
 * closed and checked to have fetched nothing from outside the deployment.
 */
export function useJourney(options: JourneyOptions = {}): Journey {
  let tessera: E2eServer | undefined;
  let browser: Browser | undefined;
  const contexts: WatchedContext[] = [];
  const configured = () => options.configured?.() ?? [];
  beforeAll(async () => {
    ensureWebBuilt();
    tessera = await startTessera(options.tessera?.());
    browser = await launchBrowser();
    contexts.push(await watchedContext(browser, tessera.origin, {}, configured()));
  });
  afterAll(async () => {
    for (const c of contexts) await c.context.close().catch(() => undefined);
    await browser?.close();
    await tessera?.close();
    expectNothingLeftTheDeployment(contexts);
  });
  return {
    get tessera() {
      return tessera!;
    },
    get browser() {
      return browser!;
    },
    get ctx() {
      return contexts[0]!;
    },
    async open(o = {}, origin = tessera!.origin) {
      const c = await watchedContext(browser!, origin, o, configured());
      contexts.push(c);
      return c;
    },
  };
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe on the page as it is now; throws listing each violation and its first nodes. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  if (result.violations.length === 0) return;
  const report = result.violations
    .map((v) => `- [${v.impact ?? '?'}] ${v.id}: ${v.help}\n${v.nodes
      .slice(0, 4)
      .map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`)
      .join('\n')}`)
    .join('\n');
  throw new Error(`Accessibility violations on ${label} (${page.url()}):\n${report}`);
}

export interface Person {
  displayName: string;
  username: string;
  email: string;
  password: string;
}

/** Fills and sends the first-run form (the page must be on the setup link), then waits for the portal. */
export async function completeSetup(page: Page, admin: Person): Promise<void> {
  await page.getByLabel('Full name').fill(admin.displayName);
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('E-mail address').fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Repeat the password').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator and continue' }).click();
  await page.getByRole('heading', { name: `Hello, ${admin.displayName.split(' ')[0]}` }).waitFor();
}

/** What every journey promises at the end: no request left the deployment, no CSP violation or page error. */
export function expectNothingLeftTheDeployment(contexts: (WatchedContext | undefined)[]): void {
  for (const c of contexts) {
    if (!c) continue;
    expect(c.foreign, 'requests to another origin').toEqual([]);
    expect(c.errors, 'CSP violations or page errors').toEqual([]);
  }
}

const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

/** A full-page screenshot under test-results/e2e/, for a person reviewing a run. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Nothing may stick out sideways on a phone: lists the elements that do, if any. */
export async function horizontalOverflow(page: Page, width = 390): Promise<string[]> {
  return page.evaluate((width) => {
    if (document.documentElement.scrollWidth <= width) return [];
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0) out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
    }
    return out.length ? out.slice(0, 10) : [`document is ${document.documentElement.scrollWidth}px wide`];
  }, width);
}

/** How many dark pixels a canvas holds: a PDF page really drawn, not just a blank sheet. */
export async function darkPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 3]! > 0) dark++;
    return dark;
  });
}

/** The signed-in page's CSRF token, for the setup calls a journey makes through the API. */
export async function csrfToken(page: Page, base: string): Promise<string> {
  return ((await (await page.request.get(`${base}/api/session`)).json()) as { csrfToken: string }).csrfToken;
}

/** The root folder of the signed-in person's own space. */
export async function personalRoot(page: Page, base: string): Promise<string> {
  const { spaces } = (await (await page.request.get(`${base}/api/files/spaces`)).json()) as { spaces: { kind: string; rootId: string }[] };
  return spaces.find((s) => s.kind === 'personal')!.rootId;
}
