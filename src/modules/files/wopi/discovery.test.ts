import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, type TestClient, type TestServer } from '../../../test-support/identity.js';
import { actionUrlFor, parseDiscovery } from './discovery.js';

/** A trimmed Collabora Online discovery document, as /hosting/discovery serves it. */
function discoveryXml(origin: string): string {
  const src = `${origin}/browser/0123abc/cool.html?`;
  return `<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery>
  <net-zone name="external-http">
    <app name="writer">
      <action default="true" ext="odt" name="edit" urlsrc="${src}"/>
      <action ext="docx" name="edit" urlsrc="${src}"/>
      <action ext="pdf" name="view" urlsrc="${src}&lt;ui=UI_LLCC&amp;&gt;"/>
    </app>
    <app name="Capabilities"><action ext="" name="getinfo" urlsrc="${origin}/hosting/capabilities"/></app>
  </net-zone>
  <proof-key exponent="AQAB" modulus="abc" value="def"/>
</wopi-discovery>`;
}

describe('WOPI editor discovery and host page', () => {
  let editor: Server;
  let editorOrigin: string;
  let requests = 0;
  let ts: TestServer;
  let alice: TestClient;
  let rootId: string;

  beforeAll(async () => {
    editor = createServer((req, res) => {
      requests++;
      if (req.url !== '/hosting/discovery') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/xml' }).end(discoveryXml(editorOrigin));
    });
    await new Promise<void>((resolve) => editor.listen(0, '127.0.0.1', resolve));
    editorOrigin = `http://127.0.0.1:${(editor.address() as AddressInfo).port}`;
    ts = await startTestServer({ wopiDiscoveryUrl: `${editorOrigin}/hosting/discovery` });
    const { password } = await createUser(ts, { username: 'alice' });
    alice = await signIn(ts.url, 'alice', password);
    const spaces = await alice.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces');
    rootId = spaces.body.spaces.find((s) => s.kind === 'personal')!.rootId;
  });
  afterAll(async () => {
    await ts.close();
    await new Promise((resolve) => editor.close(resolve));
  });

  it('parses edit and view actions and builds action URLs', () => {
    const d = parseDiscovery(discoveryXml('https://office.example.org'));
    expect(d.origin).toBe('https://office.example.org');
    expect([...d.actions.keys()].sort()).toEqual(['docx', 'odt', 'pdf']);
    const pdf = d.actions.get('pdf')!;
    expect(pdf.edit).toBeUndefined();
    expect(actionUrlFor(pdf.view!, 'https://tessera.example.org/wopi/files/abc')).toBe(
      'https://office.example.org/browser/0123abc/cool.html?WOPISrc=https%3A%2F%2Ftessera.example.org%2Fwopi%2Ffiles%2Fabc',
    );
    expect(() => parseDiscovery('<wopi-discovery/>')).toThrow();
  });

  it('offers the editor for the listed extensions, with an action URL carrying WOPISrc', async () => {
    const editorInfo = await alice.get<{ enabled: boolean; extensions: string[] }>('/api/files/editor');
    expect(editorInfo.body).toEqual({ enabled: true, extensions: ['docx', 'odt', 'pdf'] });
    const upload = await fetch(`${ts.url}/api/files/nodes/${rootId}/upload?name=letter.odt`, {
      method: 'PUT',
      headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'application/octet-stream' },
      body: 'odt bytes',
    });
    const doc = (await upload.json()) as { id: string };
    const issued = await alice.post<{ actionUrl: string; wopiSrc: string }>(`/api/files/nodes/${doc.id}/wopi`);
    expect(issued.status).toBe(200);
    const action = new URL(issued.body.actionUrl);
    expect(action.origin).toBe(editorOrigin);
    expect(action.pathname).toBe('/browser/0123abc/cool.html');
    expect(action.searchParams.get('WOPISrc')).toBe(issued.body.wopiSrc);
    // A type the editor does not list gets a token but no action URL.
    const txt = await fetch(`${ts.url}/api/files/nodes/${rootId}/upload?name=notes.txt`, {
      method: 'PUT',
      headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'text/plain' },
      body: 'plain',
    });
    const other = await alice.post<{ actionUrl?: string; accessToken: string }>(`/api/files/nodes/${((await txt.json()) as { id: string }).id}/wopi`);
    expect(other.body.accessToken).toBeTruthy();
    expect(other.body.actionUrl).toBeUndefined();
    // Read once, then served from the cache.
    expect(requests).toBe(1);
  });

  it('lets only the host page frame the editor and post to it', async () => {
    const page = await fetch(`${ts.url}/files/edit/some-id`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain(`frame-src ${editorOrigin}`);
    expect(csp).toContain(`form-action 'self' ${editorOrigin}`);
    expect(csp).not.toContain('unsafe-inline');
    const elsewhere = (await fetch(`${ts.url}/files`)).headers.get('content-security-policy')!;
    expect(elsewhere).not.toContain(editorOrigin);
    expect(elsewhere).toContain("form-action 'self'");
  });
});
