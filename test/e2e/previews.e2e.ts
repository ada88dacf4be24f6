import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { useJourney, completeSetup, expectAccessible, shot, darkPixels } from './harness.js';
import { minimalPdf } from '../../src/modules/files/testing/documents.js';

/**
 * Previews through the real UI: a PDF opens in the pdf.js viewer (canvas drawn, text layer,
 * pages turned from the keyboard), an image in the same dialog, the grid view shows lazy
 * thumbnails and is remembered. axe on each view; nothing fetched from another origin.
 */
const ADMIN = { displayName: 'Grace Hopper', username: 'grace', email: 'grace@example.org', password: 'nanosecond-wire-1952' };


describe('Previews in the browser', () => {
  const journey = useJourney();

  it('uploads a PDF and an image, and previews the PDF page by page', async () => {
    const { page } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, ADMIN);
    await page.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('heading', { name: 'My files', level: 2 }).waitFor();

    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 30, g: 120, b: 200 } } }).jpeg().toBuffer();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles([
      { name: 'annual-report.pdf', mimeType: 'application/pdf', buffer: minimalPdf(['Annual report of Tessera', 'Second page about budgets']) },
      { name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: photo },
    ]);
    await page.getByRole('status').filter({ hasText: '2 files uploaded.' }).first().waitFor();

    await page.getByRole('link', { name: 'annual-report.pdf' }).click();
    const dialog = page.getByRole('dialog', { name: 'annual-report.pdf' });
    await dialog.waitFor();
    // The page is drawn on the canvas, and its text is in the text layer.
    await dialog.locator('canvas[data-rendered="1"]').waitFor({ timeout: 30_000 });
    await dialog.locator('.textLayer').getByText('Annual report of Tessera').waitFor();
    await dialog.getByText('of 2', { exact: true }).waitFor();
    const drawn = await darkPixels(dialog.locator('canvas'));
    expect(drawn).toBeGreaterThan(50);
    await expectAccessible(page, 'PDF preview');
    await shot(page, 'preview-pdf');

    // Next page from the keyboard, then with the button back.
    await dialog.getByRole('region', { name: /annual-report\.pdf, page 1 of 2/ }).focus();
    await page.keyboard.press('PageDown');
    await dialog.locator('canvas[data-rendered="2"]').waitFor();
    await dialog.locator('.textLayer').getByText('Second page about budgets').waitFor();
    await dialog.getByRole('button', { name: 'Previous page' }).click();
    await dialog.locator('canvas[data-rendered="1"]').waitFor();
    // Zoom: from the fitted width to the next step up, and the page is drawn larger.
    const percent = async () => Number((await dialog.locator('.pdf-zoom-value').textContent())!.replace(/\D/g, ''));
    const fitted = await percent();
    const fittedWidth = await dialog.locator('canvas').evaluate((c: HTMLCanvasElement) => c.getBoundingClientRect().width);
    await dialog.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction((w) => (document.querySelector('.pdf-canvas')?.getBoundingClientRect().width ?? 0) > w, fittedWidth);
    expect(await percent()).toBeGreaterThan(fitted);

    // Next file: the image, in the same dialog.
    await dialog.getByRole('button', { name: 'Next file' }).click();
    const imageDialog = page.getByRole('dialog', { name: 'harbour.jpg' });
    const img = imageDialog.getByRole('img', { name: 'harbour.jpg' });
    await img.waitFor();
    await page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('.preview-image');
      return !!i && i.complete && i.naturalWidth === 900;
    });
    expect(await imageDialog.getByRole('link', { name: 'Download harbour.jpg' }).getAttribute('href')).toMatch(/\/content$/);
    await expectAccessible(page, 'image preview');
    await page.keyboard.press('Escape');
    await imageDialog.waitFor({ state: 'hidden' });
  });

  it('switches to the grid, loads thumbnails lazily, and remembers the choice', async () => {
    const { page } = journey.ctx;
    await page.getByRole('button', { name: 'Grid', exact: true }).click();
    expect(await page.getByRole('button', { name: 'Grid', exact: true }).getAttribute('aria-pressed')).toBe('true');
    const grid = page.getByRole('list', { name: /Contents of/ });
    await grid.waitFor();
    await page.waitForFunction(() => {
      const imgs = Array.from(document.querySelectorAll<HTMLImageElement>('.files-grid .file-thumb-img'));
      return imgs.some((i) => i.complete && i.naturalWidth > 0 && i.src.includes('/thumbnail'));
    });
    const size = await page.locator('.files-grid .file-thumb-img').first().evaluate((i: HTMLImageElement) => ({ w: i.naturalWidth, h: i.naturalHeight }));
    expect(Math.max(size.w, size.h)).toBeLessThanOrEqual(256);
    await expectAccessible(page, 'grid view');
    await shot(page, 'files-grid');

    // Enter on a name in the grid opens the preview too.
    await grid.getByRole('link', { name: 'harbour.jpg' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'harbour.jpg' }).waitFor();
    await page.keyboard.press('Escape');

    await page.reload();
    await page.getByRole('list', { name: /Contents of/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Grid', exact: true }).getAttribute('aria-pressed')).toBe('true');
  });

  it('works on a phone-sized screen', async () => {
    const { page } = journey.ctx;
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('link', { name: 'annual-report.pdf' }).click();
    const dialog = page.getByRole('dialog', { name: 'annual-report.pdf' });
    await dialog.locator('canvas[data-rendered="1"]').waitFor({ timeout: 30_000 });
    const width = await dialog.locator('canvas').evaluate((c: HTMLCanvasElement) => c.getBoundingClientRect().width);
    // Fitted to the screen's width.
    expect(width).toBeLessThanOrEqual(390);
    await expectAccessible(page, 'PDF preview on a phone');
    await shot(page, 'preview-pdf-phone');
    await page.keyboard.press('Escape');
  });
});
