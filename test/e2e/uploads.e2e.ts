import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { completeSetup, expectAccessible, useJourney, personalRoot } from './harness.js';

/**
 * Resumable uploads, folders as zip, favorites and recent through the real UI: a large upload cut
 * by a page reload resumes where the server stopped, a folder downloads as a zip, an item is starred
 * from its row menu with the keyboard and shows in Favorites; Recent lists the newest files.
 */
const ADMIN = { displayName: 'Grace Hopper', username: 'grace', email: 'grace@example.org', password: 'cobol-compiler-1959' };

const journey = useJourney();
let work: string;

async function status(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}

describe('Resumable uploads, zip, favorites and recent in the browser', () => {
  const big = randomBytes(6 * 1024 * 1024);
  // A file on disk keeps its modification time between two picks, as a person's file does (part of the fingerprint).
  let filmPath: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tessera-uploads-e2e-'));
    filmPath = join(work, 'film.bin');
    writeFileSync(filmPath, big);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a large upload cut by a page reload resumes from the server offset', async () => {
    const { page, context } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, ADMIN);
    await page.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByRole('dialog', { name: 'New folder' }).getByLabel('Folder name').fill('Films');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Films', exact: true }).click();
    await page.getByRole('heading', { name: 'Films', level: 2 }).waitFor();

    const patches: number[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().includes('/api/files/uploads/')) patches.push(Number(r.headers()['upload-offset']));
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles(filmPath);
    await page.getByRole('progressbar', { name: /film\.bin/ }).waitFor();
    // Well under way, then the page goes away in the middle of the request.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('progress')).some((b) => b.value > 30 && b.value < 90));
    await page.reload();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    await page.getByRole('heading', { name: 'Films', level: 2 }).waitFor();

    // Picking the same file for the same folder again finds the upload by its fingerprint and goes on.
    const again = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await again).setFiles(filmPath);
    await status(page, '1 file uploaded.');
    expect(patches[0]).toBe(0);
    expect(patches.length).toBeGreaterThanOrEqual(2);
    // The resumed PATCH started where the server had stopped, not at the beginning.
    expect(patches.at(-1), `PATCH offsets ${patches.join(', ')}`).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'film.bin' }).waitFor();
    const root = await personalRoot(page, journey.tessera.url);
    const films = ((await (await page.request.get(`${journey.tessera.url}/api/files/nodes/${root}/children`)).json()) as { items: { id: string; name: string }[] }).items.find((n) => n.name === 'Films')!;
    const film = ((await (await page.request.get(`${journey.tessera.url}/api/files/nodes/${films.id}/children`)).json()) as { items: { id: string; name: string }[] }).items.find((n) => n.name === 'film.bin')!;
    const bytes = Buffer.from(await (await page.request.get(`${journey.tessera.url}/api/files/nodes/${film.id}/content`)).body());
    expect(bytes.equals(big)).toBe(true);
    await expectAccessible(page, 'folder after a resumed upload');
  });

  it('downloads a folder as a zip from its row menu', async () => {
    const { page } = journey.ctx;
    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'My files' }).click();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Actions for Films', exact: true }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download as zip' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('Films.zip');
    const entries = unzipSync(new Uint8Array(readFileSync((await file.path())!)));
    expect(Object.keys(entries)).toEqual(['film.bin']);
    expect(Buffer.from(entries['film.bin']!).equals(big)).toBe(true);
  });

  it('stars a folder with the keyboard; Favorites and Recent list what they should', async () => {
    const { page } = journey.ctx;
    const menuButton = page.getByRole('button', { name: 'Actions for Films', exact: true });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    // Arrow keys move through the menu to "Add to favorites".
    for (let i = 0; i < 10; i++) {
      const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
      if (focused.includes('Add to favorites')) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await status(page, '“Films” added to favorites.');
    await page.getByRole('row', { name: /Films/ }).getByText('Favorite', { exact: true }).waitFor();

    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'Favorites' }).click();
    await page.getByRole('heading', { name: 'Favorites', level: 2 }).waitFor();
    await page.getByRole('link', { name: 'Films', exact: true }).waitFor();
    await expectAccessible(page, 'favorites');

    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'Recent' }).click();
    await page.getByRole('heading', { name: 'Recent', level: 2 }).waitFor();
    await page.getByRole('region', { name: 'Recent' }).getByText('film.bin').waitFor();
    await expectAccessible(page, 'recent');

    await page.getByRole('navigation', { name: 'Spaces' }).getByRole('link', { name: 'Favorites' }).click();
    await page.getByRole('button', { name: 'Remove Films from favorites' }).click();
    await status(page, '“Films” removed from favorites.');
    await page.getByText('No favorites yet.').waitFor();
  });
});
