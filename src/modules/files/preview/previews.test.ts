import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, setupAdmin, signIn, startTestServer, type TestClient, type TestServer } from '../../../test-support/identity.js';
import type { FilesTables } from '../tables.js';
import { minimalDocx, minimalPdf, pdfText } from '../testing/documents.js';
import { uploadOk } from '../testing/fixtures.js';

interface Node {
  id: string;
  name: string;
  etag: string;
}
interface Preview {
  kind: string;
  available: boolean;
  reason: string | null;
  contentType: string | null;
  truncated: boolean;
  url: string | null;
  thumbnailUrl: string | null;
}

const upload = (c: TestClient, base: string, folderId: string, name: string, body: Buffer | string, type?: string) => uploadOk<Node>(c, base, folderId, name, body, type);

/** Binary GET with the session: the test client reads bodies as text. */
async function getBytes(c: TestClient | null, url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: { ...(c ? { cookie: c.cookie } : {}), ...headers } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A 1600×1200 photo stored sideways (EXIF orientation 6), with a camera make and GPS-like data to strip. */
async function sidewaysPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .withMetadata({ orientation: 6, exif: { IFD0: { Make: 'TesseraCam', Copyright: 'secret location' } } })
    .toBuffer();
}

describe('previews and thumbnails', () => {
  let ts: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let root: string;

  beforeAll(async () => {
    ts = await startTestServer();
    await createUser(ts, { username: 'alice' });
    await createUser(ts, { username: 'bob' });
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    bob = await signIn(ts.url, 'bob', 'bob-password-1');
    root = (await alice.get<{ spaces: { rootId: string }[] }>('/api/files/spaces')).body.spaces[0]!.rootId;
  });
  afterAll(async () => {
    await ts?.close();
  });

  it('the admin status says office conversions run without network', async () => {
    await createUser(ts, { username: 'root', isAdmin: true });
    const admin = await signIn(ts.url, 'root', 'root-password-1');
    const status = await admin.get<{ services: Record<string, { kind: string; ok: boolean }> }>('/api/admin/status');
    expect(status.body.services['files.officeSandbox']).toEqual({ kind: 'unshare (no network)', ok: true });
  });

  const renditions = (source: string) =>
    ts.server.platform.db.withTables<FilesTables>().selectFrom('files_renditions').selectAll().where('source_key', '=', source).execute();
  const blobKeyOf = async (id: string) =>
    (await ts.server.platform.db.withTables<FilesTables>().selectFrom('files_nodes').select('blob_key').where('id', '=', id).executeTakeFirstOrThrow()).blob_key!;

  it('makes an upright, metadata-free WebP thumbnail and screen image of a photo, cached', async () => {
    const photo = await sidewaysPhoto();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const node = await upload(alice, ts.url, root, 'holiday.jpg', photo, 'image/jpeg');

    const info = await alice.get<Preview>(`/api/files/nodes/${node.id}/preview`);
    expect(info.body).toMatchObject({ kind: 'image', available: true, contentType: 'image/webp', url: `/api/files/nodes/${node.id}/preview/content`, thumbnailUrl: `/api/files/nodes/${node.id}/thumbnail` });

    const thumb = await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail?size=256`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.headers.get('content-security-policy')).toContain('sandbox');
    const meta = await sharp(thumb.body).metadata();
    // Turned upright by its EXIF orientation: the sideways 1600×1200 becomes 192×256.
    expect(meta).toMatchObject({ format: 'webp', width: 192, height: 256 });
    expect(meta.exif).toBeUndefined();
    expect(thumb.body.length).toBeLessThan(photo.length);

    const screen = await getBytes(alice, `${ts.url}${info.body.url}`);
    expect(await sharp(screen.body).metadata()).toMatchObject({ format: 'webp', width: 1200, height: 1600 });

    // A second request is served from the cache: the same single rendition, and 304 on revalidation.
    const source = await blobKeyOf(node.id);
    const before = await renditions(source);
    expect(before.map((r) => r.variant).sort()).toEqual(['screen', 'thumb-256']);
    const again = await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail?size=256`);
    expect(again.body.equals(thumb.body)).toBe(true);
    expect(await renditions(source)).toEqual(before);
    const revalidated = await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail?size=256`, { 'if-none-match': thumb.headers.get('etag')! });
    expect(revalidated.status).toBe(304);

    // With the file's ETag in the address, the browser may keep it for good; without, it revalidates.
    expect(thumb.headers.get('cache-control')).toBe('private, no-cache');
    const pinned = await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail?size=256&v=${node.etag.replace(/"/g, '')}`);
    expect(pinned.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const stale = await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail?size=256&v=old`);
    expect(stale.headers.get('cache-control')).toBe('private, no-cache');
    expect((await alice.get(`/api/files/nodes/${node.id}/thumbnail?size=300`)).status).toBe(400);
    expect((await alice.get(`/api/files/nodes/${node.id}/thumbnail?size=256&evil=1`)).status).toBe(400);
  });

  it('refuses previews to people without access, as downloads are', async () => {
    const node = await upload(alice, ts.url, root, 'private.png', await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer());
    for (const path of ['preview', 'preview/content', 'thumbnail']) {
      const res = await bob.get(`/api/files/nodes/${node.id}/${path}`);
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(`${ts.url}/api/files/nodes/${node.id}/thumbnail`)).status).toBe(401);
    // Nothing was made for the refused requests.
    expect(await renditions(await blobKeyOf(node.id))).toEqual([]);
  });

  it('never renders SVG, and says so', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const node = await upload(alice, ts.url, root, 'logo.svg', svg, 'image/svg+xml');
    expect((await alice.get<Preview>(`/api/files/nodes/${node.id}/preview`)).body).toMatchObject({ kind: 'none', available: false, reason: 'unsupported', url: null });
    const thumb = await alice.get(`/api/files/nodes/${node.id}/thumbnail`);
    expect(thumb.status).toBe(415);
    // Named .png but SVG inside: sharp's sniffing refuses it too.
    const disguised = await upload(alice, ts.url, root, 'disguised.png', svg, 'image/png');
    const res = await alice.get(`/api/files/nodes/${disguised.id}/thumbnail`);
    expect(res.code).toBe('preview_failed');
  });

  it('serves text and Markdown as plain text, sandboxed', async () => {
    const node = await upload(alice, ts.url, root, 'notes.md', '# Title\n<script>alert(1)</script>', 'text/html');
    const info = await alice.get<Preview>(`/api/files/nodes/${node.id}/preview`);
    expect(info.body).toMatchObject({ kind: 'markdown', available: true, contentType: 'text/plain; charset=utf-8', truncated: false });
    const res = await getBytes(alice, `${ts.url}${info.body.url}`);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.body.toString()).toBe('# Title\n<script>alert(1)</script>');
  });

  it('converts a DOCX to a PDF with its text, once, and thumbnails its first page', async () => {
    const docx = minimalDocx(['Quarterly report of the sovereign workplace', 'Second paragraph']);
    const node = await upload(alice, ts.url, root, 'report.docx', docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const info = await alice.get<Preview>(`/api/files/nodes/${node.id}/preview`);
    expect(info.body).toMatchObject({ kind: 'office', available: true, contentType: 'application/pdf' });

    const started = Date.now();
    const pdf = await getBytes(alice, `${ts.url}${info.body.url}`);
    const firstMs = Date.now() - started;
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    const { text } = await pdfText(pdf.body);
    expect(text).toContain('Quarterly report of the sovereign workplace');

    const source = await blobKeyOf(node.id);
    const cached = await renditions(source);
    expect(cached).toHaveLength(1);
    const second = Date.now();
    const again = await getBytes(alice, `${ts.url}${info.body.url}`);
    expect(again.body.equals(pdf.body)).toBe(true);
    // No second conversion: the same cached row, and far quicker than starting LibreOffice.
    expect(await renditions(source)).toEqual(cached);
    expect(Date.now() - second).toBeLessThan(firstMs);

    const thumb = await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail?size=128`);
    expect(thumb.status).toBe(200);
    const meta = await sharp(thumb.body).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width!, meta.height!)).toBe(128);
    expect(meta.height!).toBeGreaterThan(meta.width!); // a portrait page
  }, 120_000);

  it('thumbnails a PDF and serves it for the browser viewer', async () => {
    const node = await upload(alice, ts.url, root, 'slides.pdf', minimalPdf(['First page', 'Second page']), 'application/pdf');
    const info = await alice.get<Preview>(`/api/files/nodes/${node.id}/preview`);
    expect(info.body).toMatchObject({ kind: 'pdf', available: true, contentType: 'application/pdf' });
    const pdf = await getBytes(alice, `${ts.url}${info.body.url}`);
    expect((await pdfText(pdf.body)).pages).toBe(2);
    const thumb = await getBytes(alice, `${ts.url}${info.body.thumbnailUrl}?size=64`);
    expect(thumb.status).toBe(200);
    expect(Math.max((await sharp(thumb.body).metadata()).width!, (await sharp(thumb.body).metadata()).height!)).toBe(64);
  }, 120_000);

  it('drops cached previews when the content changes or is purged, blobs included', async () => {
    const node = await upload(alice, ts.url, root, 'changing.png', await sharp({ create: { width: 300, height: 300, channels: 3, background: '#00f' } }).png().toBuffer());
    expect((await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail`)).status).toBe(200);
    const oldSource = await blobKeyOf(node.id);
    const [oldThumb] = await renditions(oldSource);
    expect(oldThumb?.blob_key).toBeTruthy();

    await upload(alice, ts.url, root, 'changing.png', await sharp({ create: { width: 300, height: 100, channels: 3, background: '#0f0' } }).png().toBuffer());
    await until(async () => (await renditions(oldSource)).length === 0, 'the old rendition rows to go');
    await until(async () => (await ts.server.platform.blobs.stat(oldThumb!.blob_key!)) === null, 'the old rendition blob to go');
    // The new content gets its own thumbnail.
    const fresh = await getBytes(alice, `${ts.url}/api/files/nodes/${node.id}/thumbnail`);
    expect(await sharp(fresh.body).metadata()).toMatchObject({ width: 256, height: 85 });

    const newSource = await blobKeyOf(node.id);
    const [newThumb] = await renditions(newSource);
    expect((await alice.del(`/api/files/nodes/${node.id}`)).status).toBe(204);
    // In the trash the file can come back: its preview stays.
    expect(await renditions(newSource)).toHaveLength(1);
    const trash = await alice.get<{ items: { id: string }[] }>(`/api/files/spaces/${(await alice.get<{ spaces: { id: string }[] }>('/api/files/spaces')).body.spaces[0]!.id}/trash`);
    expect(trash.body.items.map((t) => t.id)).toContain(node.id);
    expect((await alice.del(`/api/files/trash/${node.id}`)).status).toBe(204);
    await until(async () => (await renditions(newSource)).length === 0, 'the purged rendition rows to go');
    await until(async () => (await ts.server.platform.blobs.stat(newThumb!.blob_key!)) === null, 'the purged rendition blob to go');
  });

  it('previews through a view link, never through an upload-only link', async () => {
    const folder = (await alice.post<Node>(`/api/files/nodes/${root}/folders`, { name: 'Public' })).body;
    const img = await upload(alice, ts.url, folder.id, 'pic.webp', await sharp({ create: { width: 600, height: 400, channels: 3, background: '#888' } }).webp().toBuffer());
    const view = (await alice.post<{ token: string }>(`/api/files/nodes/${folder.id}/links`, { role: 'view' })).body.token;
    const drop = (await alice.post<{ token: string }>(`/api/files/nodes/${folder.id}/links`, { role: 'upload' })).body.token;
    const info = (await (await fetch(`${ts.url}/api/public/links/${view}/nodes/${img.id}/preview`)).json()) as Preview;
    expect(info).toMatchObject({ kind: 'image', available: true, thumbnailUrl: `/api/public/links/${view}/nodes/${img.id}/thumbnail` });
    const thumb = await getBytes(null, `${ts.url}${info.thumbnailUrl}?size=128`);
    expect(await sharp(thumb.body).metadata()).toMatchObject({ width: 128, height: 85 });
    expect((await fetch(`${ts.url}/api/public/links/${drop}/nodes/${img.id}/thumbnail`)).status).toBe(403);
    expect((await fetch(`${ts.url}/api/public/links/${view}/nodes/${root}/thumbnail`)).status).toBe(404);
  });
});

describe('previews without LibreOffice', () => {
  let ts: TestServer;
  afterAll(async () => {
    await ts?.close();
  });

  it('says office previews are not available, offers the rest, and the admin status names what is missing', async () => {
    ts = await startTestServer({ soffice: '/nonexistent/soffice' });
    const admin = await setupAdmin(ts);
    await createUser(ts, { username: 'carol' });
    const carol = await signIn(ts.url, 'carol', 'carol-password-1');
    const root = (await carol.get<{ spaces: { rootId: string }[] }>('/api/files/spaces')).body.spaces[0]!.rootId;
    const node = await upload(carol, ts.url, root, 'memo.odt', minimalDocx(['x']));
    const info = await carol.get<Preview>(`/api/files/nodes/${node.id}/preview`);
    expect(info.body).toMatchObject({ kind: 'office', available: false, reason: 'office_unavailable', url: null, thumbnailUrl: null });
    const content = await carol.get<{ error: { message: string } }>(`/api/files/nodes/${node.id}/preview/content`);
    expect(content.status).toBe(503);
    expect(content.code).toBe('office_preview_unavailable');
    expect(content.body.error.message).toMatch(/Download the file/);
    // PDFs still open in the browser viewer; only their thumbnail needs LibreOffice.
    const pdf = await upload(carol, ts.url, root, 'a.pdf', minimalPdf(['a']));
    expect((await carol.get<Preview>(`/api/files/nodes/${pdf.id}/preview`)).body).toMatchObject({ kind: 'pdf', available: true, thumbnailUrl: null });

    const status = await admin.get<{ tools: Record<string, boolean>; services: Record<string, unknown> }>('/api/admin/status');
    expect(status.body.tools.libreoffice).toBe(false);
    expect(status.body.services['files.officeSandbox']).toBeUndefined();
  });
});
