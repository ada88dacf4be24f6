import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { useJourney, expectAccessible, type WatchedContext, completeSetup, horizontalOverflow, personalRoot, csrfToken } from './harness.js';

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

const journey = useJourney();
/** The signed-out visitor of the link, kept for the revocation check. */
let visitorCtx: WatchedContext;
let folderId = '';
let linkUrl = '';

const csrf = (page: Page) => csrfToken(page, journey.tessera.url);


async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto(`${journey.tessera.url}/login`);
  await page.getByLabel('Username or e-mail').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Modules' }).waitFor();
}

describe('Sharing in the browser', () => {
  it('sets up the journey.ctx, a colleague and a folder with a file', async () => {
    const { page } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, OWNER);

    const headers = { 'x-csrf-token': await csrf(page) };
    const made = await page.request.post(`${journey.tessera.url}/api/admin/users`, { data: { username: COLLEAGUE.username, email: COLLEAGUE.email, displayName: COLLEAGUE.displayName, password: COLLEAGUE.password }, headers });
    expect(made.status()).toBe(201);
    const root = await personalRoot(page, journey.tessera.url);
    const folder = await page.request.post(`${journey.tessera.url}/api/files/nodes/${root}/folders`, { data: { name: 'Board papers' }, headers });
    folderId = ((await folder.json()) as { id: string }).id;
    const up = await page.request.put(`${journey.tessera.url}/api/files/nodes/${folderId}/upload?name=minutes.txt`, { data: Buffer.from(MINUTES), headers: { ...headers, 'content-type': 'text/plain' } });
    expect(up.status()).toBe(201);
  });

  it('shares the folder with a colleague (view) from the row menu', async () => {
    const { page } = journey.ctx;
    await page.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('link', { name: 'Board papers', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Actions for Board papers', exact: true }).click();
    await page.getByRole('button', { name: 'Share', exact: true }).and(page.locator(':visible')).first().click();
    const dialog = page.getByRole('dialog', { name: 'Share “Board papers”' });
    await dialog.getByText('Not shared with anyone yet.').waitFor();
    await dialog.getByText(OWNER.displayName).waitFor();

    // Someone unknown: refused, with what to do next.
    await dialog.getByLabel('Username').fill('nobody');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByText('No one by that name.').waitFor();

    await dialog.getByLabel('Username').fill(COLLEAGUE.username);
    await dialog.getByLabel('Access', { exact: true }).selectOption('view');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByRole('status').filter({ hasText: `Shared with ${COLLEAGUE.displayName}.` }).waitFor();
    await dialog.getByLabel(`Access for ${COLLEAGUE.displayName}`, { exact: true }).waitFor();
    expect(await dialog.getByLabel(`Access for ${COLLEAGUE.displayName}`, { exact: true }).inputValue()).toBe('view');
    await expectAccessible(page, 'share dialog');
  });

  it('creates a password-protected view link and copies its address', async () => {
    const { page } = journey.ctx;
    const dialog = page.getByRole('dialog', { name: 'Share “Board papers”' });
    await dialog.getByLabel('Link access').selectOption('view');
    await dialog.getByLabel('Password (optional)').fill('short');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await dialog.getByText('The password needs at least 8 characters.').waitFor();
    await dialog.getByLabel('Password (optional)').fill(LINK_PASSWORD);
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const address = dialog.getByLabel('Link address');
    await address.waitFor();
    linkUrl = await address.inputValue();
    expect(linkUrl).toMatch(new RegExp(`^${journey.tessera.url}/s/[A-Za-z0-9_-]{43}$`));
    await dialog.getByRole('button', { name: 'Copy link' }).waitFor();
    await dialog.getByText(/Can view, created .* · password/).waitFor();
    await expectAccessible(page, 'share dialog with a link');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('the colleague finds the folder under "Shared with me" and cannot delete', async () => {
    const colleague = await journey.open();
    const { page } = colleague;
    await signIn(page, COLLEAGUE);
    await page.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'Shared with me' }).click();
    await page.getByRole('heading', { name: 'Shared with me', level: 2 }).waitFor();
    await page.getByText(`Shared by ${OWNER.displayName} · View only`).waitFor();
    expect(await page.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    await expectAccessible(page, 'shared with me');

    await page.getByRole('link', { name: 'Board papers', exact: true }).click();
    await page.getByRole('heading', { name: 'Board papers', level: 2 }).waitFor();
    await page.getByRole('link', { name: 'Download minutes.txt' }).waitFor();
    expect(await page.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    // The server agrees: a view share cannot delete.
    const del = await page.request.delete(`${journey.tessera.url}/api/files/nodes/${folderId}`, { headers: { 'x-csrf-token': await csrf(page) } });
    expect(del.status()).toBe(403);
  });

  it('opens the link signed out: wrong then right password, lists the folder and downloads a file', async () => {
    const visitor = (visitorCtx = await journey.open({ acceptDownloads: true }));
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
    const zip = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download “Board papers” as a zip' }).click();
    const archive = await zip;
    expect(archive.suggestedFilename()).toBe('Board papers.zip');
    expect(readFileSync((await archive.path())!).subarray(0, 2).toString('latin1')).toBe('PK');

    // Phone size: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toEqual([]);
  });

  it('shows the revoked message once the owner revokes the link', async () => {
    const { page: ownerPage } = journey.ctx;
    await ownerPage.getByRole('button', { name: 'Actions for Board papers', exact: true }).click();
    await ownerPage.getByRole('button', { name: 'Share', exact: true }).and(ownerPage.locator(':visible')).first().click();
    const dialog = ownerPage.getByRole('dialog', { name: 'Share “Board papers”' });
    await dialog.getByRole('button', { name: /^Revoke link created/ }).click();
    await dialog.getByRole('status').filter({ hasText: 'Link revoked.' }).waitFor();
    await dialog.getByText('No public links.').waitFor();
    await ownerPage.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(ownerPage)).toEqual([]);

    const { page } = visitorCtx;
    await page.reload();
    await page.getByText('This link no longer works').waitFor();
    await page.getByText('Ask the person who sent it for a new link.').waitFor();
    await expectAccessible(page, 'public link revoked');
  });

  it('an upload-only link shows only an upload area and accepts a file', async () => {
    const headers = { 'x-csrf-token': await csrf(journey.ctx.page) };
    const made = await journey.ctx.page.request.post(`${journey.tessera.url}/api/files/nodes/${folderId}/links`, { data: { role: 'upload' }, headers });
    expect(made.status()).toBe(201);
    const { token } = (await made.json()) as { token: string };
    const dropper = await journey.open();
    const { page } = dropper;
    await page.goto(`${journey.tessera.url}/s/${token}`);
    await page.getByText('You can send files to this folder.').waitFor();
    expect(await page.getByText('minutes.txt').count()).toBe(0);
    await expectAccessible(page, 'public upload-only link');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose files to send' }).click();
    await (await chooser).setFiles([{ name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from('From outside.\n') }]);
    await page.getByRole('progressbar', { name: /minutes\.txt/ }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Sent' }).waitFor();
    // Never overwrites: the owner now has both files.
    const list = await journey.ctx.page.request.get(`${journey.tessera.url}/api/files/nodes/${folderId}/children`);
    const names = ((await list.json()) as { items: { name: string }[] }).items.map((n) => n.name).sort();
    expect(names).toEqual(['minutes (2).txt', 'minutes.txt']);
  });
});
