import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { editorKey, proofHeaders, proofKeyElement } from '../../src/modules/files/testing/proofSigner.js';
import { completeSetup, expectAccessible, useJourney, personalRoot, csrfToken } from './harness.js';

/**
 * "Open in editor" through the real UI: the host page posts the access token into an iframe at
 * the editor's action URL, and a stand-in editor (a loopback WOPI client, as Collabora would be)
 * uses it to read, lock, save and unlock the file through Tessera's WOPI endpoints.
 */
const ADMIN = { displayName: 'Grace Hopper', username: 'grace', email: 'grace@example.org', password: 'cobol-compiler-1959' };
const SAVED = 'Saved by the office editor.';

let editor: Server;
let editorOrigin = '';
const editorErrors: string[] = [];
/** The stand-in editor signs every WOPI call (X-WOPI-Proof) with this key, published in its discovery. */
const proofKey = editorKey();
/** The last call the editor made, to show afterwards that an unsigned copy of it is refused. */
let lastCall = { url: '', token: '' };

/** A WOPI client in a few lines: its "editing page" is served once it has saved through WOPI. */
async function editSession(body: string, wopiSrc: string): Promise<string> {
  const token = new URLSearchParams(body).get('access_token') ?? '';
  const at = (path = '') => `${wopiSrc}${path}?access_token=${encodeURIComponent(token)}`;
  // As Collabora does: every call signed over the token, the URL called and the time.
  const signed = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    lastCall = { url, token };
    return fetch(url, { ...init, headers: { ...init.headers, ...proofHeaders(proofKey, token, url) } });
  };
  const info = (await (await signed(at())).json()) as { BaseFileName: string; UserCanWrite: boolean };
  const original = await (await signed(at('/contents'))).text();
  const lock = { 'x-wopi-lock': 'stand-in-editor-lock' };
  const steps = [
    await signed(at(), { method: 'POST', headers: { 'x-wopi-override': 'LOCK', ...lock } }),
    await signed(at('/contents'), { method: 'POST', headers: { 'x-wopi-override': 'PUT', ...lock }, body: SAVED }),
    await signed(at(), { method: 'POST', headers: { 'x-wopi-override': 'UNLOCK', ...lock } }),
  ].map((r) => r.status);
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in editor</title></head><body><main>
<h1>Editing ${escape(info.BaseFileName)}</h1><p>Opened: ${escape(original)}</p><p>Steps: ${steps.join(' ')}</p><p>Can write: ${info.UserCanWrite}</p></main></body></html>`;
}

// The stand-in editor runs before Tessera starts: Tessera is configured with its discovery URL.
beforeAll(async () => {
  editor = createServer((req, res) => {
    const url = new URL(req.url ?? '/', editorOrigin);
    if (req.method === 'GET' && url.pathname === '/hosting/discovery') {
      const src = `${editorOrigin}/edit?&lt;ui=UI_LLCC&amp;&gt;`;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<wopi-discovery><net-zone name="external-http"><app name="writer"><action name="edit" ext="odt" urlsrc="${src}"/></app></net-zone>${proofKeyElement(proofKey)}</wopi-discovery>`);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/edit') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        editSession(Buffer.concat(chunks).toString('utf8'), url.searchParams.get('WOPISrc') ?? '')
          .then((html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html))
          .catch((e: unknown) => {
            editorErrors.push(String(e));
            res.writeHead(500).end();
          });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => editor.listen(0, '127.0.0.1', resolve));
  editorOrigin = `http://127.0.0.1:${(editor.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => editor?.close(resolve));
  expect(editorErrors).toEqual([]);
});

const journey = useJourney({
  tessera: () => ({ config: { wopiDiscoveryUrl: `${editorOrigin}/hosting/discovery` } }),
  configured: () => [editorOrigin],
});

const csrf = (page: Page) => csrfToken(page, journey.tessera.url);

describe('Office editor (WOPI) in the browser', () => {
  it('opens a document from the row menu in the editor, which saves it back through WOPI', async () => {
    const { page, context } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, ADMIN);
    const token = await csrf(page);
    const rootId = await personalRoot(page, journey.tessera.url);
    for (const [name, body] of [['letter.odt', 'First draft.'], ['notes.txt', 'plain text']] as const) {
      const r = await page.request.put(`${journey.tessera.url}/api/files/nodes/${rootId}/upload?name=${name}`, { headers: { 'x-csrf-token': token, 'content-type': 'application/octet-stream' }, data: Buffer.from(body) });
      expect(r.status()).toBe(201);
    }

    await page.goto(`${journey.tessera.url}/files`);
    await page.getByRole('link', { name: 'letter.odt' }).or(page.getByText('letter.odt', { exact: true })).first().waitFor();
    // Only types the editor lists get the entry.
    await page.getByRole('button', { name: 'Actions for notes.txt', exact: true }).click();
    expect(await page.getByRole('link', { name: 'Open in editor' }).and(page.locator(':visible')).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Actions for letter.odt', exact: true }).click();
    const popup = context.waitForEvent('page');
    await page.getByRole('link', { name: 'Open in editor' }).and(page.locator(':visible')).click();
    const host = await popup;
    const hostErrors: string[] = [];
    host.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) hostErrors.push(m.text());
    });
    host.on('pageerror', (e) => hostErrors.push(e.message));

    await host.getByRole('heading', { name: 'letter.odt', level: 1 }).waitFor();
    const frame = host.frameLocator('iframe[title="Office editor: letter.odt"]');
    await frame.getByRole('heading', { name: 'Editing letter.odt' }).waitFor();
    await frame.getByText('Opened: First draft.').waitFor();
    await frame.getByText('Steps: 200 200 200').waitFor();
    await frame.getByText('Can write: true').waitFor();
    // The token went in a form post, never in the page's or the frame's URL.
    expect(host.url()).toBe(`${journey.tessera.url}/files/edit/${new URL(host.url()).pathname.split('/').pop()}`);
    expect(host.frames().every((f) => !f.url().includes('access_token'))).toBe(true);
    await expectAccessible(host, 'editor host page');
    expect(hostErrors).toEqual([]);

    const saved = await page.request.get(`${journey.tessera.url}/api/files/nodes/${new URL(host.url()).pathname.split('/').pop()}/content`);
    expect(await saved.text()).toBe(SAVED);
    // Proof keys were checked all along: the same call without the editor's signature is refused.
    expect(lastCall.token).not.toBe('');
    expect((await fetch(lastCall.url, { method: 'POST', headers: { 'x-wopi-override': 'GET_LOCK' } })).status).toBe(500);
    expect((await fetch(lastCall.url, { method: 'POST', headers: { 'x-wopi-override': 'GET_LOCK', ...proofHeaders(proofKey, lastCall.token, lastCall.url) } })).status).toBe(200);

    // On a phone: the bar and the editor fit the width.
    await host.setViewportSize({ width: 390, height: 800 });
    expect(await host.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await host.close();
  });
});
