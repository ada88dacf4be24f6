import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, expectAccessible, launchBrowser, startTessera, watchedContext, type E2eServer, type WatchedContext } from './harness.js';

/**
 * Sharing through the real UI against a fresh server: a folder shared with a colleague who
 * finds it under "Shared with me" (view only), a password-protected public link opened signed
 * out (wrong then right password, a download), then revoked. axe on each view; every request
 * must stay on the server's origin.
 */
const OWNER = { displayName: 'Katherine Johnson', username: 'katherine', email: 'katherine@example.org', password: 'orbital-mechanics-1962' };
const COLLEAGUE = { displayName: 'Dorothy Vaughan', username: 'dorothy', email: 'dorothy@example.org', password: 'fortran-programmer-1961' };
const LINK_PASSWORD = 'launch-window-7';
const MINUTES = 'Minutes of the board meeting.\n';

let tessera: E2eServer;
let browser: Browser;
let owner: WatchedContext;
const extra: WatchedContext[] = [];
let folderId = '';
let linkUrl = '';
let linkId = '';

async function csrf(page: Page): Promise<string> {
  const r = await page.request.get(`${tessera.url}/api/session`);
  return ((await r.json()) as { csrfToken: string }).csrfToken;
}

async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto(`${tessera.url}/login`);
  await page.getByLabel('Username or e-mail').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Modules' }).waitFor();
}

describe('Sharing in the browser', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    tessera = await startTessera();
    browser = await launchBrowser();
    owner = await watchedContext(browser, tessera.origin);
  });

  afterAll(async () => {
    for (const c of [owner, ...extra]) await c?.context.close().catch(() => undefined);
    await browser?.close();
    await tessera?.close();
    for (const c of [owner, ...extra]) {
      if (!c) continue;
      expect(c.foreign, 'requests to another origin').toEqual([]);
      expect(c.errors, 'CSP violations or page errors').toEqual([]);
    }
  });

  it('sets up the owner, a colleague and a folder with a file', async () => {
    const { page } = owner;
    await page.goto(await tessera.setupUrl());
    await page.getByLabel('Full name').fill(OWNER.displayName);
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('E-mail address').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Repeat the password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create administrator and continue' }).click();
    await page.getByRole('heading', { name: 'Hello, Katherine' }).waitFor();

    const headers = { 'x-csrf-token': await csrf(page) };
    const made = await page.request.post(`${tessera.url}/api/admin/users`, { data: { username: COLLEAGUE.username, email: COLLEAGUE.email, displayName: COLLEAGUE.displayName, password: COLLEAGUE.password }, headers });
    expect(made.status()).toBe(201);
    const spaces = (await (await page.request.get(`${tessera.url}/api/files/spaces`)).json()) as { spaces: { kind: string; rootId: string }[] };
    const root = spaces.spaces.find((s) => s.kind === 'personal')!.rootId;
    const folder = await page.request.post(`${tessera.url}/api/files/nodes/${root}/folders`, { data: { name: 'Board papers' }, headers });
    folderId = ((await folder.json()) as { id: string }).id;
    const up = await page.request.put(`${tessera.url}/api/files/nodes/${folderId}/upload?name=minutes.txt`, { data: Buffer.from(MINUTES), headers: { ...headers, 'content-type': 'text/plain' } });
    expect(up.status()).toBe(201);
  });

  it('shares the folder with a colleague (view)', async () => {
    const { page } = owner;
    const headers = { 'x-csrf-token': await csrf(page) };
    const share = await page.request.post(`${tessera.url}/api/files/nodes/${folderId}/shares`, { data: { grantee: { type: 'user', login: COLLEAGUE.username }, role: 'view' }, headers });
    expect(share.status()).toBe(201);
  });

  it('creates a password-protected view link', async () => {
    const { page } = owner;
    const headers = { 'x-csrf-token': await csrf(page) };
    const link = await page.request.post(`${tessera.url}/api/files/nodes/${folderId}/links`, { data: { role: 'view', password: LINK_PASSWORD }, headers });
    expect(link.status()).toBe(201);
    const body = (await link.json()) as { id: string; token: string };
    linkId = body.id;
    linkUrl = `${tessera.url}/s/${body.token}`;
  });

  it('opens the link signed out: wrong then right password, lists the folder and downloads a file', async () => {
    const visitor = await watchedContext(browser, tessera.origin, { acceptDownloads: true });
    extra.push(visitor);
    const { page } = visitor;
    await page.goto(linkUrl);
    await page.getByRole('heading', { name: 'Shared with you', level: 1 }).waitFor();
    expect(page.url()).toBe(linkUrl);
    await page.getByLabel('Link password').waitFor();
    await expectAccessible(page, 'public link password');

    await page.getByLabel('Link password').fill('not-the-password');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByText('Wrong password.').waitFor();
    await page.getByLabel('Link password').fill(LINK_PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Board papers', level: 2 }).waitFor();
    await expectAccessible(page, 'public link folder');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download minutes.txt' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('minutes.txt');
    expect(readFileSync((await file.path())!, 'utf8')).toBe(MINUTES);
  });

  it('shows the revoked message once the owner revokes the link', async () => {
    const headers = { 'x-csrf-token': await csrf(owner.page) };
    const del = await owner.page.request.delete(`${tessera.url}/api/files/nodes/${folderId}/links/${linkId}`, { headers });
    expect(del.status()).toBe(204);
    const { page } = extra[0]!;
    await page.reload();
    await page.getByText('This link no longer works').waitFor();
    await page.getByText('Ask the person who sent it for a new link.').waitFor();
    await expectAccessible(page, 'public link revoked');
  });
});
