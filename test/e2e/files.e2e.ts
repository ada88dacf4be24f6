import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { completeSetup, expectAccessible, horizontalOverflow, shot, useJourney, personalRoot, csrfToken } from './harness.js';

/**
 * The Files page through the real UI against a fresh server: folders, uploads with progress
 * (files and a whole folder), rename, delete and restore from the trash, a new version and
 * restoring the earlier one, download, quota and name errors, a group space, the phone layout.
 * Every view is checked with axe; every request must stay on the server's origin.
 */
const ADMIN = { displayName: 'Hedy Lamarr', username: 'hedy', email: 'hedy@example.org', password: 'frequency-hopping-1942' };

const journey = useJourney();
let work: string;

/** Opens the actions menu of a row and picks an item. */
async function rowAction(page: Page, name: string, action: string): Promise<void> {
  await page.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
  await page.getByRole('button', { name: action, exact: true }).or(page.getByRole('link', { name: action, exact: true })).and(page.locator(':visible')).first().click();
}

async function status(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}

/** The signed-in browser's CSRF token, for the few setup calls made through the API. */
const csrf = (page: Page) => csrfToken(page, journey.tessera.url);

const NOTES_V1 = 'Meeting notes, first draft.\n';
const NOTES_V2 = 'Meeting notes, second draft with changes.\n';

describe('Files in the browser', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tessera-files-e2e-'));
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('sets up, opens Files from the top bar and creates a folder', async () => {
    const { page } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, ADMIN);

    await page.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();
    await page.getByText('This folder is empty').waitFor();
    expect(await page.title()).toBe('Files · Tessera');
    await expectAccessible(page, 'files (empty)');

    await page.getByRole('button', { name: 'New folder' }).click();
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    await dialog.getByLabel('Folder name').fill('Reports');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await status(page, 'Folder “Reports” created.');
    await page.getByRole('link', { name: 'Reports', exact: true }).waitFor();

    // The same name again: refused, with what to do next, and the dialog stays open.
    await page.getByRole('button', { name: 'New folder' }).click();
    await dialog.getByLabel('Folder name').fill('Reports');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'already exists here. Choose another name' }).waitFor();
    await expectAccessible(page, 'new folder dialog with error');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('uploads two files into the folder with progress per file and overall', async () => {
    const { page, context } = journey.ctx;
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { name: 'Reports', level: 2 }).waitFor();
    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'My files' }).waitFor();

    // Slow the upload down so the progress is seen moving, not only finished.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    const big = Buffer.alloc(768 * 1024, 'tessera ');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles([
      { name: 'budget.csv', mimeType: 'text/csv', buffer: big },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTES_V1) },
    ]);
    const overall = page.getByRole('progressbar', { name: /All files/ });
    await overall.waitFor();
    await page.getByRole('progressbar', { name: /budget\.csv/ }).waitFor();
    await page.getByRole('progressbar', { name: /notes\.txt/ }).waitFor();
    // Seen part-way: more than nothing, less than everything.
    await page.waitForFunction(() => {
      const bars = Array.from(document.querySelectorAll('progress'));
      return bars.some((b) => b.value > 0 && b.value < 100);
    });
    await shot(page, 'files-uploading');
    await status(page, '2 files uploaded.');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    expect(await overall.getAttribute('value')).toBe('100');
    await page.getByRole('link', { name: 'budget.csv' }).waitFor();
    await page.getByRole('link', { name: 'notes.txt' }).waitFor();
    const row = page.getByRole('row', { name: /budget\.csv/ });
    await row.getByRole('cell', { name: '768 KB' }).waitFor();
    await expectAccessible(page, 'folder with uploads');
    await shot(page, 'files-folder');
  });

  it('sorts by a column', async () => {
    const { page } = journey.ctx;
    const names = () => page.locator('tbody .file-name').allInnerTexts();
    expect((await names()).map((s) => s.trim())).toEqual(['budget.csv', 'notes.txt']);
    await page.getByRole('button', { name: /^Name/ }).click();
    await expect.poll(async () => (await names()).map((s) => s.trim())).toEqual(['notes.txt', 'budget.csv']);
    expect(await page.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('button', { name: /^Size/ }).click();
    await expect.poll(async () => (await names()).map((s) => s.trim())).toEqual(['notes.txt', 'budget.csv']);
    await page.getByRole('button', { name: /^Name/ }).click();
    await expect.poll(async () => (await names()).map((s) => s.trim())).toEqual(['budget.csv', 'notes.txt']);
  });

  it('renames a file, deletes it and restores it from the trash', async () => {
    const { page } = journey.ctx;
    await rowAction(page, 'budget.csv', 'Rename');
    const dialog = page.getByRole('dialog', { name: 'Rename “budget.csv”' });
    const input = dialog.getByLabel('New name');
    expect(await input.inputValue()).toBe('budget.csv');
    // A name the server refuses: said so, with the rules, and the dialog stays open.
    await input.fill('budget/2026.csv');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'is not a valid name. Names cannot contain “/”' }).waitFor();
    await input.fill('budget-2026.csv');
    await expectAccessible(page, 'rename dialog');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await status(page, '“budget.csv” renamed to “budget-2026.csv”.');
    await page.getByRole('link', { name: 'budget-2026.csv' }).waitFor();

    await rowAction(page, 'budget-2026.csv', 'Delete');
    const confirm = page.getByRole('dialog', { name: 'Delete “budget-2026.csv”?' });
    await confirm.getByText('goes to the trash').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await status(page, '“budget-2026.csv” moved to the trash.');
    await page.getByRole('link', { name: 'budget-2026.csv' }).waitFor({ state: 'detached' });

    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('heading', { name: 'Trash of My files' }).waitFor();
    const row = page.getByRole('row', { name: /budget-2026\.csv/ });
    await row.getByRole('cell', { name: 'My files/Reports' }).waitFor();
    await expectAccessible(page, 'trash');
    await shot(page, 'files-trash');
    await page.getByRole('button', { name: 'Restore budget-2026.csv' }).click();
    await status(page, '“budget-2026.csv” restored to its folder.');
    await page.getByText('The trash is empty.').waitFor();

    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'My files' }).click();
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('link', { name: 'budget-2026.csv' }).waitFor();
  });

  it('uploads a new version and restores the earlier one, then downloads it', async () => {
    const { page } = journey.ctx;
    const chooser = page.waitForEvent('filechooser');
    await rowAction(page, 'notes.txt', 'Upload new version');
    // Whatever the chosen file is called, it becomes the new content of notes.txt.
    await (await chooser).setFiles({ name: 'notes-edited.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTES_V2) });
    await status(page, '1 file uploaded.');
    await page.getByRole('row', { name: /notes\.txt/ }).getByRole('cell', { name: `${NOTES_V2.length} B` }).waitFor();

    await rowAction(page, 'notes.txt', 'Versions');
    const dialog = page.getByRole('dialog', { name: 'Versions of “notes.txt”' });
    const restore = dialog.getByRole('button', { name: /^Restore the version saved/ });
    await restore.waitFor();
    expect(await restore.count()).toBe(1);
    await dialog.getByRole('cell', { name: `${NOTES_V1.length} B` }).waitFor();
    await expectAccessible(page, 'versions dialog');
    await shot(page, 'files-versions');
    await restore.click();
    await dialog.getByRole('status').filter({ hasText: 'is now the current one' }).waitFor();
    // The replaced content is now a version too.
    await dialog.getByRole('cell', { name: `${NOTES_V2.length} B` }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row', { name: /notes\.txt/ }).getByRole('cell', { name: `${NOTES_V1.length} B` }).waitFor();

    // Download through the menu: the bytes are the earlier version's.
    const download = page.waitForEvent('download');
    await rowAction(page, 'notes.txt', 'Download');
    const file = await download;
    expect(file.suggestedFilename()).toBe('notes.txt');
    expect(readFileSync((await file.path())!, 'utf8')).toBe(NOTES_V1);
    // And the same through the link's address, with the session's cookie.
    const href = await page.getByRole('link', { name: 'notes.txt' }).getAttribute('href');
    const res = await page.request.get(`${journey.tessera.url}${href}`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toBe(NOTES_V1);
  });

  it('an upload with a taken name asks what to do; keep both numbers the copy', async () => {
    const { page } = journey.ctx;
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('third') });
    await page.getByText('a file with this name already exists here.').waitFor();
    await status(page, '1 is waiting for your choice.');
    await expectAccessible(page, 'upload conflict');
    await page.getByRole('button', { name: 'Keep both' }).click();
    await status(page, '1 file uploaded.');
    await page.getByRole('link', { name: 'notes (2).txt' }).waitFor();
  });

  it('uploads files dropped on the listing', async () => {
    const { page } = journey.ctx;
    const dataTransfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped on the page'], 'dropped.txt', { type: 'text/plain' }));
      return dt;
    });
    const zone = page.locator('.dropzone');
    await zone.dispatchEvent('dragover', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
    await status(page, '1 file uploaded.');
    const href = await page.getByRole('link', { name: 'dropped.txt' }).getAttribute('href');
    expect(await (await page.request.get(`${journey.tessera.url}${href}`)).text()).toBe('dropped on the page');
  });

  it('uploads a whole folder, creating its sub-folders', async () => {
    const { page } = journey.ctx;
    const dir = join(work, 'Minutes');
    mkdirSync(join(dir, '2026'), { recursive: true });
    writeFileSync(join(dir, 'index.txt'), 'minutes index');
    writeFileSync(join(dir, '2026', 'january.txt'), 'january minutes');
    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'My files' }).click();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload folder' }).click();
    await (await chooser).setFiles(dir);
    await status(page, '2 files uploaded.');
    await page.getByRole('link', { name: 'Minutes', exact: true }).click();
    await page.getByRole('link', { name: 'index.txt' }).waitFor();
    await page.getByRole('link', { name: '2026', exact: true }).click();
    await page.getByRole('link', { name: 'january.txt' }).waitFor();
    const crumbs = page.getByRole('navigation', { name: 'Folder path' });
    await expect.poll(async () => (await crumbs.getByRole('listitem').allInnerTexts()).map((s) => s.trim())).toEqual(['My files', 'Minutes', '2026']);
    await crumbs.getByRole('link', { name: 'My files' }).click();
  });

  it('moves and copies with the folder picker, also to a group space', async () => {
    const { page } = journey.ctx;
    const token = await csrf(page);
    const me = (await (await page.request.get(`${journey.tessera.url}/api/me`)).json()) as { id: string };
    const group = await page.request.post(`${journey.tessera.url}/api/admin/groups`, { data: { name: 'board', displayName: 'Board' }, headers: { 'x-csrf-token': token } });
    expect(group.status()).toBe(201);
    const { id: groupId } = (await group.json()) as { id: string };
    const add = await page.request.post(`${journey.tessera.url}/api/admin/groups/${groupId}/members`, { data: { type: 'user', id: me.id }, headers: { 'x-csrf-token': token } });
    expect(add.status()).toBe(204);
    await page.reload();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();

    // Move Minutes into Reports.
    await rowAction(page, 'Minutes', 'Move to…');
    const move = page.getByRole('dialog', { name: 'Move “Minutes”' });
    await move.getByRole('button', { name: /^Reports/ }).click();
    await move.getByText('Destination: Reports.').waitFor();
    await expectAccessible(page, 'move dialog');
    await move.getByRole('button', { name: 'Move here' }).click();
    await status(page, '“Minutes” moved to “Reports”.');
    await page.getByRole('link', { name: 'Minutes', exact: true }).waitFor({ state: 'detached' });

    // Copy Reports to the group's space.
    await rowAction(page, 'Reports', 'Copy to…');
    const copy = page.getByRole('dialog', { name: 'Copy “Reports”' });
    const spaceSelect = copy.getByLabel('Space');
    const groupOption = await spaceSelect.locator('option', { hasText: /board|Board/ }).getAttribute('value');
    await spaceSelect.selectOption(groupOption!);
    await copy.getByText('No folders here.').waitFor();
    await copy.getByRole('button', { name: 'Copy here' }).click();
    await status(page, /“Reports” copied to/);

    const spaces = page.getByRole('navigation', { name: 'Spaces' });
    await spaces.getByRole('link', { name: /board|Board/ }).click();
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('link', { name: 'Minutes', exact: true }).waitFor();
    await page.getByRole('link', { name: 'notes.txt' }).waitFor();
    await expectAccessible(page, 'group space');
  });

  it('an upload past the quota says how much is used and what to do', async () => {
    const { page } = journey.ctx;
    const token = await csrf(page);
    const me = (await (await page.request.get(`${journey.tessera.url}/api/me`)).json()) as { id: string };
    const spaces = (await (await page.request.get(`${journey.tessera.url}/api/files/spaces`)).json()) as { spaces: { kind: string; usedBytes: number }[] };
    const used = spaces.spaces.find((s) => s.kind === 'personal')!.usedBytes;
    const patch = await page.request.patch(`${journey.tessera.url}/api/admin/users/${me.id}`, { data: { quotaBytes: used + 1024 }, headers: { 'x-csrf-token': token } });
    expect(patch.status()).toBe(200);
    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'My files' }).click();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();
    await page.reload();
    await page.getByText(/of 1 MB used|KB used/).first().waitFor();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles({ name: 'too-big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(64 * 1024, 1) });
    await page.getByText(/Not enough storage: .* used\. Delete files you no longer need and empty the trash/).waitFor();
    await status(page, '1 failed.');
    await expectAccessible(page, 'quota error');
    await shot(page, 'files-quota');
    await page.request.patch(`${journey.tessera.url}/api/admin/users/${me.id}`, { data: { quotaBytes: null }, headers: { 'x-csrf-token': token } });
  });

  it('empties the trash after confirmation', async () => {
    const { page } = journey.ctx;
    await rowAction(page, 'Reports', 'Delete');
    const confirm = page.getByRole('dialog', { name: 'Delete “Reports”?' });
    await confirm.getByText('The folder and everything in it').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await status(page, '“Reports” moved to the trash.');
    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('row', { name: /^Reports/ }).waitFor();
    await page.getByRole('button', { name: 'Empty trash' }).click();
    const dialog = page.getByRole('dialog', { name: 'Empty the trash?' });
    await dialog.getByText('1 item will be deleted for good').waitFor();
    await dialog.getByRole('button', { name: 'Empty trash' }).click();
    await status(page, /Trash emptied/);
    await page.getByText('The trash is empty.').waitFor();
  });

  it('a big folder scrolls without a "Load more" button; the row menu works from the keyboard', async () => {
    const { page } = journey.ctx;
    const token = await csrf(page);
    const root = await personalRoot(page, journey.tessera.url);
    const folder = await page.request.post(`${journey.tessera.url}/api/files/nodes/${root}/folders`, { data: { name: 'Archive' }, headers: { 'x-csrf-token': token } });
    const { id: folderId } = (await folder.json()) as { id: string };
    for (let i = 1; i <= 105; i++) {
      const name = `scan-${String(i).padStart(3, '0')}.txt`;
      const r = await page.request.put(`${journey.tessera.url}/api/files/nodes/${folderId}/upload?name=${name}`, { data: Buffer.from(`page ${i}`), headers: { 'x-csrf-token': token, 'content-type': 'text/plain' } });
      expect(r.status()).toBe(201);
    }
    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'My files' }).click();
    await page.getByRole('link', { name: 'Archive', exact: true }).click();
    await page.getByText('105 items').waitFor();
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    // Only the rows on screen are rendered; scrolling to the end brings the last one.
    expect(await page.locator('tbody tr[data-index]').count()).toBeLessThan(105);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.getByRole('link', { name: 'scan-105.txt' }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('link', { name: 'scan-001.txt' }).waitFor();

    // Keyboard: open the menu, arrows move within it, Escape closes it and returns focus.
    const menuButton = page.getByRole('button', { name: 'Actions for scan-001.txt', exact: true });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Download');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Rename');
    await page.keyboard.press('Escape');
    await expect.poll(() => menuButton.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await menuButton.getAttribute('aria-expanded')).toBe('false');
    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'My files' }).click();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();
  });

  it('on a phone the listing is a list with a menu per item, and nothing sticks out', async () => {
    const phone = await journey.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await journey.ctx.context.storageState() });
    const { page } = phone;
    await page.goto(`${journey.tessera.url}/files`);
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();
    // A folder with a few files to show.
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByRole('dialog').getByLabel('Folder name').fill('Phone photos with a rather long folder name');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await status(page, /created/);
    const header = page.locator('thead');
    expect(await header.boundingBox().then((b) => (b ? b.height : 0))).toBeLessThanOrEqual(1);
    const row = page.getByRole('row', { name: /Phone photos/ });
    await row.getByRole('button', { name: /Actions for Phone photos/ }).click();
    await page.getByRole('button', { name: 'Rename', exact: true }).and(page.locator(':visible')).waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await shot(page, 'files-phone-menu');
    await page.keyboard.press('Escape');
    await expectAccessible(page, 'files on a phone');
    expect(await horizontalOverflow(page)).toEqual([]);
    await shot(page, 'files-phone');
  });
});
