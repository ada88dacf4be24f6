import { describe, expect, it } from 'vitest';
import { useJourney, completeSetup, expectAccessible, shot, personalRoot, csrfToken } from './harness.js';

/**
 * Searching Files through the real UI: the field on the Files page, results with their place and
 * a passage of the text, opening the folder of a result, download, the empty state, Escape, the
 * phone layout and axe on each state.
 */
const ADMIN = { displayName: 'Grace Hopper', username: 'grace', email: 'grace@example.org', password: 'compiler-cobol-1959' };


describe('Files search in the browser', () => {
  const journey = useJourney();

  it('finds a file by its content, shows where it is, opens its folder', async () => {
    const { page } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, ADMIN);
    const token = await csrfToken(page, journey.tessera.url);
    const headers = { 'x-csrf-token': token };
    const root = await personalRoot(page, journey.tessera.url);
    const folder = (await (await page.request.post(`${journey.tessera.url}/api/files/nodes/${root}/folders`, { data: { name: 'Minutes' }, headers })).json()) as { id: string };
    const up = await page.request.put(`${journey.tessera.url}/api/files/nodes/${folder.id}/upload?name=board.txt`, {
      data: Buffer.from('The board agreed to buy a lighthouse for the harbour.'),
      headers: { ...headers, 'content-type': 'text/plain' },
    });
    expect(up.status()).toBe(201);
    // The text is extracted by a background job: wait until the API finds it.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = (await (await page.request.get(`${journey.tessera.url}/api/files/search?q=lighthouse`)).json()) as { items: unknown[] };
      if (r.items.length) break;
      if (Date.now() > deadline) throw new Error('the file was never indexed');
      await new Promise((r) => setTimeout(r, 200));
    }

    await page.goto(`${journey.tessera.url}/files`);
    const field = page.getByRole('searchbox', { name: 'Search files' });
    await field.fill('lighthouse');
    const results = page.getByRole('region', { name: 'Results for “lighthouse”' });
    await results.getByText('board.txt').waitFor();
    await results.getByText('In My files · /Minutes').waitFor();
    await results.getByText(/buy a lighthouse for the harbour/).waitFor();
    await expectAccessible(page, 'search results');
    await shot(page, 'files-search-results');

    const download = page.waitForEvent('download');
    await results.getByRole('link', { name: 'Download board.txt' }).click();
    expect((await download).suggestedFilename()).toBe('board.txt');

    await field.fill('nothing-like-this');
    await results.or(page.getByRole('region', { name: /Results for/ })).getByText(/No file or folder you can open matches/).waitFor();
    await expectAccessible(page, 'empty search');

    // Escape clears the search and brings the folder back.
    await field.press('Escape');
    expect(await field.inputValue()).toBe('');
    await page.getByRole('link', { name: 'Minutes' }).waitFor();

    await field.fill('lighthouse');
    await results.getByRole('link', { name: 'Open the folder of board.txt' }).click();
    await page.waitForURL(new RegExp(`/files/[^/]+/${folder.id}$`));
    expect(await field.inputValue()).toBe('');
    await page.getByText('board.txt').first().waitFor();
  });

  it('fits a phone screen', async () => {
    const { page } = journey.ctx;
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${journey.tessera.url}/files`);
    await page.getByRole('searchbox', { name: 'Search files' }).fill('board');
    await page.getByRole('region', { name: 'Results for “board”' }).getByText('board.txt').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);
    await expectAccessible(page, 'search results on a phone');
    await shot(page, 'files-search-phone');
  });
});
