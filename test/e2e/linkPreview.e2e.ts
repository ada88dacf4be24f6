import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { useJourney, completeSetup, expectAccessible, shot, startTessera, type WatchedContext, horizontalOverflow, darkPixels, personalRoot, csrfToken } from './harness.js';
import { minimalDocx, minimalPdf } from '../../src/modules/files/testing/documents.js';

/**
 * Previews on the public link page, opened signed out: a shared PDF page by page, a shared image,
 * a shared folder whose files open in the preview dialog (an office document through LibreOffice's
 * PDF), a type with no preview, a password link that shows nothing before the password, an
 * upload-only link that never previews, and a server without LibreOffice saying so to a visitor.
 * axe on each view, a phone-sized screen, and nothing fetched from another origin.
 */
const OWNER = { displayName: 'Ada Lovelace', username: 'ada', email: 'ada@example.org', password: 'analytical-engine-1843' };
const LINK_PASSWORD = 'difference-engine-2';
const NOTES = '# Reading list\n\nStart with **Menabrea**, then the notes.\n';
const README = 'Plain text, never interpreted: <b>not bold</b>\n';
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const journey = useJourney();
const links: Record<'pdf' | 'image' | 'folder' | 'photos' | 'binary' | 'password' | 'passwordFolder' | 'upload', string> = { pdf: '', image: '', folder: '', photos: '', binary: '', password: '', passwordFolder: '', upload: '' };
let pdfId = '';

async function visitor(opts: { acceptDownloads?: boolean } = {}): Promise<WatchedContext & { previews: string[] }> {
  const ctx = await journey.open(opts);
  const previews: string[] = [];
  ctx.context.on('request', (r) => {
    if (/\/(preview|thumbnail)(\/|\?|$)/.test(new URL(r.url()).pathname + '/')) previews.push(r.url());
  });
  return { ...ctx, previews };
}


describe('Previews on the public link page', () => {
  it('sets up the journey.ctx, the files and their links', async () => {
    const { page } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, OWNER);
    const csrf = await csrfToken(page, journey.tessera.url);
    const headers = { 'x-csrf-token': csrf };
    const root = await personalRoot(page, journey.tessera.url);
    const upload = async (folder: string, name: string, data: Buffer, type: string) => {
      const res = await page.request.put(`${journey.tessera.url}/api/files/nodes/${folder}/upload?name=${encodeURIComponent(name)}`, { data, headers: { ...headers, 'content-type': type } });
      expect(res.status(), await res.text()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const link = async (node: string, data: Record<string, unknown>) => {
      const res = await page.request.post(`${journey.tessera.url}/api/files/nodes/${node}/links`, { data, headers });
      expect(res.status(), await res.text()).toBe(201);
      return `${journey.tessera.url}/s/${((await res.json()) as { token: string }).token}`;
    };
    pdfId = await upload(root, 'annual-report.pdf', minimalPdf(['Annual report of Tessera', 'Second page about budgets']), 'application/pdf');
    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 30, g: 120, b: 200 } } }).jpeg().toBuffer();
    const imageId = await upload(root, 'harbour.jpg', photo, 'image/jpeg');
    const binaryId = await upload(root, 'backup.bin', Buffer.from([0, 1, 2, 3, 255, 254]), 'application/octet-stream');
    const folder = ((await (await page.request.post(`${journey.tessera.url}/api/files/nodes/${root}/folders`, { data: { name: 'Reading room' }, headers })).json()) as { id: string }).id;
    await upload(folder, 'memo.docx', minimalDocx(['Minutes of the engine committee']), DOCX_TYPE);
    await upload(folder, 'notes.md', Buffer.from(NOTES), 'text/markdown');
    await upload(folder, 'readme.txt', Buffer.from(README), 'text/plain');
    const newFolder = async (parent: string, name: string) => ((await (await page.request.post(`${journey.tessera.url}/api/files/nodes/${parent}/folders`, { data: { name }, headers })).json()) as { id: string }).id;
    const photos = await newFolder(root, 'Harbour photos');
    await upload(photos, 'quay.jpg', photo, 'image/jpeg');
    await newFolder(photos, 'Older');

    links.pdf = await link(pdfId, { role: 'view' });
    links.image = await link(imageId, { role: 'view' });
    links.binary = await link(binaryId, { role: 'view' });
    links.folder = await link(folder, { role: 'view' });
    links.photos = await link(photos, { role: 'view' });
    links.password = await link(pdfId, { role: 'view', password: LINK_PASSWORD });
    links.passwordFolder = await link(folder, { role: 'view', password: LINK_PASSWORD });
    links.upload = await link(folder, { role: 'upload' });
  });

  it('a PDF link shows page 1 inline and turns to page 2; the download still works', async () => {
    const { page } = await visitor({ acceptDownloads: true });
    await page.goto(links.pdf);
    await page.getByRole('heading', { name: 'Shared with you', level: 1 }).waitFor();
    const preview = page.getByRole('region', { name: 'Preview of annual-report.pdf' });
    await preview.locator('canvas[data-rendered="1"]').waitFor({ timeout: 30_000 });
    await preview.locator('.textLayer').getByText('Annual report of Tessera').waitFor();
    await preview.getByText('of 2', { exact: true }).waitFor();
    const drawn = await darkPixels(preview.locator('canvas'));
    expect(drawn).toBeGreaterThan(50);
    await expectAccessible(page, 'public PDF link');
    await shot(page, 'link-preview-pdf');

    await preview.getByRole('button', { name: 'Next page' }).click();
    await preview.locator('canvas[data-rendered="2"]').waitFor();
    await preview.locator('.textLayer').getByText('Second page about budgets').waitFor();
    // From the keyboard too: back to page 1.
    await preview.getByRole('region', { name: /annual-report\.pdf, page 2 of 2/ }).focus();
    await page.keyboard.press('PageUp');
    await preview.locator('canvas[data-rendered="1"]').waitFor();

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download annual-report.pdf' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('annual-report.pdf');
    expect(readFileSync((await file.path())!).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Phone size: the page is fitted to the screen and nothing is wider than it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await preview.locator('canvas[data-rendered="1"]').waitFor({ timeout: 30_000 });
    expect(await preview.locator('canvas').evaluate((c: HTMLCanvasElement) => c.getBoundingClientRect().right)).toBeLessThanOrEqual(390);
    expect(await horizontalOverflow(page)).toEqual([]);
    await expectAccessible(page, 'public PDF link on a phone');
    await shot(page, 'link-preview-pdf-phone');
  });

  it('an image link shows the image', async () => {
    const { page } = await visitor();
    await page.goto(links.image);
    const img = page.getByRole('region', { name: 'Preview of harbour.jpg' }).getByRole('img', { name: 'harbour.jpg' });
    await img.waitFor();
    await page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('.preview-image');
      return !!i && i.complete && i.naturalWidth === 900;
    });
    expect(await img.getAttribute('src')).toMatch(/^\/api\/public\/links\/[A-Za-z0-9_-]+\/nodes\/[^/]+\/preview\/content$/);
    await expectAccessible(page, 'public image link');
  });

  it('a type without a preview says so, and offers the download', async () => {
    const { page } = await visitor();
    await page.goto(links.binary);
    await page.getByRole('region', { name: 'Preview of backup.bin' }).getByText('This type of file cannot be shown in the browser. Download it to open it with an application.').waitFor();
    expect(await page.getByRole('link', { name: 'Download backup.bin' }).count()).toBe(1);
    await expectAccessible(page, 'public link without a preview');
  });

  it('a folder link opens a file’s preview from the listing, then the next file', async () => {
    const { page } = await visitor();
    await page.goto(links.folder);
    await page.getByRole('heading', { name: 'Reading room', level: 2 }).waitFor();
    // Keyboard: the name is a button that opens the dialog.
    await page.getByRole('button', { name: 'notes.md' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'notes.md' });
    await dialog.waitFor();
    await dialog.locator('.preview-markdown').getByRole('heading', { name: 'Reading list' }).waitFor();
    await dialog.locator('.preview-markdown strong').getByText('Menabrea').waitFor();
    expect(await dialog.getByRole('link', { name: 'Download notes.md' }).getAttribute('href')).toMatch(/^\/api\/public\/links\/[^/]+\/nodes\/[^/]+\/content$/);
    await expectAccessible(page, 'public folder link, Markdown preview');
    await shot(page, 'link-preview-folder-markdown');

    await dialog.getByRole('button', { name: 'Next file' }).click();
    const text = page.getByRole('dialog', { name: 'readme.txt' });
    await text.locator('pre.preview-text-body').getByText(README.trim()).waitFor();
    expect(await text.locator('pre.preview-text-body b').count()).toBe(0);

    // Past the last file comes the first: an office document, converted to PDF on the server.
    await text.getByRole('button', { name: 'Next file' }).click();
    const memo = page.getByRole('dialog', { name: 'memo.docx' });
    await memo.getByText('Converted to PDF for viewing.', { exact: false }).waitFor({ timeout: 90_000 });
    await memo.locator('canvas[data-rendered="1"]').waitFor({ timeout: 30_000 });
    await memo.locator('.textLayer').getByText('Minutes of the engine committee').waitFor();
    await expectAccessible(page, 'public folder link, office preview');

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await horizontalOverflow(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await memo.waitFor({ state: 'hidden' });
    // Focus goes back to where the visitor was.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('notes.md');
    expect(await horizontalOverflow(page)).toEqual([]);
  });

  it('a password link shows no preview and asks for nothing of it before the password', async () => {
    const { page, previews } = await visitor();
    await page.goto(links.password);
    await page.getByLabel('Link password').waitFor();
    expect(await page.locator('canvas, .preview-image, .preview-text').count()).toBe(0);
    expect(previews).toEqual([]);
    // The server refuses it too, whatever the page does.
    const token = new URL(links.password).pathname.split('/').pop()!;
    expect((await page.request.get(`${journey.tessera.url}/api/public/links/${token}/nodes/${pdfId}/preview`)).status()).toBe(401);
    expect((await page.request.get(`${journey.tessera.url}/api/public/links/${token}/nodes/${pdfId}/preview/content`)).status()).toBe(401);

    await page.getByLabel('Link password').fill(LINK_PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    const preview = page.getByRole('region', { name: 'Preview of annual-report.pdf' });
    await preview.locator('canvas[data-rendered="1"]').waitFor({ timeout: 30_000 });
    await preview.locator('.textLayer').getByText('Annual report of Tessera').waitFor();
    await expectAccessible(page, 'public password link, unlocked');
  });

  it('once a password link’s access runs out, the page asks for the password again instead of failing', async () => {
    const { page } = await visitor();
    await page.goto(links.passwordFolder);
    await page.getByLabel('Link password').fill(LINK_PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('button', { name: 'notes.md' }).waitFor();
    // The hour-long unlock ends: the browser no longer holds a valid access cookie.
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'notes.md' }).click();
    await page.getByText('Your access to this link has run out. Enter the password again to go on.').waitFor();
    await expectAccessible(page, 'public password link, access ran out');
    await page.getByLabel('Link password').fill(LINK_PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('button', { name: 'notes.md' }).click();
    await page.getByRole('dialog', { name: 'notes.md' }).locator('.preview-markdown').getByRole('heading', { name: 'Reading list' }).waitFor();
  });

  it('a download link asks for the password again once access ran out, instead of saving an error as the file', async () => {
    const { page } = await visitor({ acceptDownloads: true });
    await page.goto(links.passwordFolder);
    await page.getByLabel('Link password').fill(LINK_PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    const downloadLink = page.getByRole('link', { name: 'Download readme.txt' });
    const first = page.waitForEvent('download');
    await downloadLink.click();
    const saved = await first;
    expect(saved.suggestedFilename()).toBe('readme.txt');
    expect(readFileSync((await saved.path())!, 'utf8')).toBe(README);

    let late = false;
    page.on('download', () => (late = true));
    await page.context().clearCookies();
    await downloadLink.click();
    await page.getByText('Your access to this link has run out. Enter the password again to go on.').waitFor();
    await page.getByLabel('Link password').fill(LINK_PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('link', { name: 'Download readme.txt' }).waitFor();
    expect(late).toBe(false);
  });

  it('a folder link shows thumbnails beside the names, and the type icon where there is none', async () => {
    const { page, previews } = await visitor();
    await page.goto(links.photos);
    await page.getByRole('heading', { name: 'Harbour photos', level: 2 }).waitFor();
    const thumb = page.locator('.public-list li', { hasText: 'quay.jpg' }).locator('img.file-thumb-img:not(.is-loading)');
    await thumb.waitFor();
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    expect(await page.locator('.public-list li', { hasText: 'Older' }).locator('.file-icon-folder').count()).toBe(1);
    expect(previews.some((u) => /\/thumbnail\?size=128&/.test(u))).toBe(true);
    await expectAccessible(page, 'public folder link with thumbnails');
    await shot(page, 'link-preview-folder-thumbnails');
  });

  it('an upload-only link shows no previews', async () => {
    const { page, previews } = await visitor();
    await page.goto(links.upload);
    await page.getByText('You can send files to this folder.').waitFor();
    expect(await page.getByText('notes.md').count()).toBe(0);
    expect(await page.locator('.preview-dialog, .public-preview').count()).toBe(0);
    expect(previews).toEqual([]);
  });

  it('without LibreOffice, a visitor is told office documents cannot be shown here, and downloads', async () => {
    const bare = await startTessera({ config: { soffice: 'off' } });
    try {
      const ctx = await journey.open({}, bare.origin);
      const { page } = ctx;
      await page.goto(await bare.setupUrl());
      await completeSetup(page, OWNER);
      const csrf = await csrfToken(page, bare.url);
      const root = await personalRoot(page, bare.url);
      const up = await page.request.put(`${bare.url}/api/files/nodes/${root}/upload?name=memo.docx`, { data: minimalDocx(['x']), headers: { 'x-csrf-token': csrf, 'content-type': DOCX_TYPE } });
      expect(up.status()).toBe(201);
      const made = await page.request.post(`${bare.url}/api/files/nodes/${((await up.json()) as { id: string }).id}/links`, { data: { role: 'view' }, headers: { 'x-csrf-token': csrf } });
      const { token } = (await made.json()) as { token: string };

      // Opened signed out, in a context of its own.
      const stranger = await journey.open({}, bare.origin);
      await stranger.page.goto(`${bare.url}/s/${token}`);
      const visit = stranger.page;
      const preview = visit.getByRole('region', { name: 'Preview of memo.docx' });
      await preview.getByText('Office documents cannot be previewed on this server. Download the file to open it.').waitFor();
      // A visitor has no administrator to ask.
      expect(await visit.getByText(/administrator/).count()).toBe(0);
      expect(await visit.getByRole('link', { name: 'Download memo.docx' }).count()).toBe(1);
      await expectAccessible(visit, 'public office link without LibreOffice');
    } finally {
      await bare.close();
    }
  });
});
