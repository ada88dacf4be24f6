import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { now } from '../../../platform/db/database.js';
import { AppError, NotFoundError } from '../../../platform/errors.js';
import type { FilesContext } from '../context.js';
import type { NodeRow, RenditionRow } from '../tables.js';
import { renderImage, UnsupportedImageError } from './images.js';
import { officeExtensionOf, previewKindOf, type PreviewKind } from './kinds.js';
import { Limiter } from './limiter.js';
import { ConversionFailedError, OfficeUnavailableError, type OfficeConverter } from './soffice.js';
import { openContent } from '../content.js';

export const THUMBNAIL_SIZES = [64, 128, 256, 512] as const;
export type ThumbnailSize = (typeof THUMBNAIL_SIZES)[number];

/** The long edge of the screen-sized rendition of an image. */
export const SCREEN_BOX = 2048;
/** A document's first page is rendered once at this size; thumbnails are made from it. */
const PAGE_BOX = 1024;
/** Sources larger than these are not decoded or converted (memory and time). */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
export const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;
/** Text and Markdown previews show at most this much of the file. */
export const MAX_TEXT_BYTES = 1024 * 1024;

export type PreviewReason = 'unsupported' | 'too_large' | 'office_unavailable' | 'failed';

export interface PreviewInfo {
  kind: PreviewKind;
  /** False when the browser cannot show it: `reason` says why; download still works. */
  available: boolean;
  reason: PreviewReason | null;
  /** What the preview content is served as (image/webp, application/pdf, text/plain). */
  contentType: string | null;
  /** Text and Markdown: only the first MAX_TEXT_BYTES are shown. */
  truncated: boolean;
  thumbnail: boolean;
}

export interface Rendition {
  body: Readable | Buffer;
  contentType: string;
  size: number;
  /** Changes with the file's content and the variant, for ETag/If-None-Match. */
  etag: string;
}

/** 503: the server has no LibreOffice; the person can still download. */
export class OfficePreviewUnavailableError extends AppError {
  constructor() {
    super(503, 'office_preview_unavailable', 'Office previews are not available on this server (LibreOffice is not installed). Download the file to open it, or ask an administrator to install LibreOffice.');
  }
}
export class NoPreviewError extends AppError {
  constructor(message = 'This type of file has no preview. Download it to open it.') {
    super(415, 'no_preview', message);
  }
}
export class PreviewTooLargeError extends AppError {
  constructor() {
    super(413, 'too_large_to_preview', 'This file is too large to preview. Download it to open it.');
  }
}
export class PreviewFailedError extends AppError {
  constructor(why: string) {
    super(422, 'preview_failed', `Tessera could not make a preview of this file (${why}). Download it to open it.`);
  }
}

const isDocument = (kind: PreviewKind) => kind === 'pdf' || kind === 'office';

/**
 * Previews and thumbnails. Renditions are made on first request and cached as blobs keyed by the
 * content's blob key (so copies share them and a new version gets new ones); callers authorize
 * the node first, exactly as for a download.
 */
export function createPreviews(ctx: FilesContext, office: OfficeConverter) {
  // sharp decodes on the thread pool; two at a time keeps memory bounded and the pool free for I/O.
  const images = new Limiter(2);
  const inFlight = new Map<string, Promise<RenditionRow>>();

  async function readSource(node: NodeRow, max: number): Promise<Buffer> {
    if (Number(node.size) > max) throw new PreviewTooLargeError();
    const stream = await openContent(ctx, node.blob_key!);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  /** The cached rendition, or makes it (once, even when many ask at the same time). */
  async function rendition(source: string, variant: string, contentType: string, make: () => Promise<Buffer>): Promise<RenditionRow> {
    const cached = await ctx.store.rendition(source, variant);
    if (cached) return usable(cached);
    const key = `${source}|${variant}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = produce(source, variant, contentType, make).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return usable(await pending);
  }

  function usable(row: RenditionRow): RenditionRow {
    if (!row.blob_key) throw new PreviewFailedError(row.error ?? 'the conversion failed');
    return row;
  }

  async function produce(source: string, variant: string, contentType: string, make: () => Promise<Buffer>): Promise<RenditionRow> {
    const base = { source_key: source, variant, created_at: now() };
    let out: Buffer;
    try {
      out = await make();
    } catch (e) {
      if (!(e instanceof ConversionFailedError || e instanceof UnsupportedImageError)) throw e;
      // Remembered, so a broken file is not converted again on every view; a new version is tried afresh.
      const failed: RenditionRow = { ...base, blob_key: null, content_type: null, size: 0, error: e.message.slice(0, 500) };
      await ctx.store.transaction((tx) => ctx.store.insertRendition(failed, tx));
      return failed;
    }
    const blobKey = `renditions/${randomUUID()}`;
    // Marked before writing, as uploads are: a crash before the commit leaves an orphan the sweeper finds.
    await ctx.store.addPendingBlob(blobKey, now());
    try {
      await ctx.platform.blobs.put(blobKey, out, { contentType });
      const row: RenditionRow = { ...base, blob_key: blobKey, content_type: contentType, size: out.length, error: null };
      const inserted = await ctx.store.transaction(async (tx) => {
        await ctx.store.removePendingBlob(blobKey, tx);
        return ctx.store.insertRendition(row, tx);
      });
      if (inserted) return row;
      // Another process made the same rendition first: use theirs.
      await ctx.platform.blobs.delete(blobKey);
      const theirs = await ctx.store.rendition(source, variant);
      if (!theirs) throw new NotFoundError('The preview was removed meanwhile. Reload to try again.');
      return theirs;
    } catch (e) {
      await ctx.platform.blobs.delete(blobKey).catch(() => {});
      await ctx.store.removePendingBlob(blobKey).catch(() => {});
      throw e;
    }
  }

  async function convert(node: NodeRow, to: 'pdf' | 'png'): Promise<Buffer> {
    const input = await readSource(node, MAX_DOCUMENT_BYTES);
    try {
      return await office.convert(input, officeExtensionOf(node), to);
    } catch (e) {
      if (e instanceof OfficeUnavailableError) throw new OfficePreviewUnavailableError();
      throw e;
    }
  }

  /** A document's first page as an image, made by LibreOffice (PDF too: its Draw imports it). */
  const firstPage = (node: NodeRow) =>
    rendition(node.blob_key!, 'page1', 'image/webp', async () => images.run(async () => renderImage(await convert(node, 'png'), PAGE_BOX, 85)));

  async function serve(row: RenditionRow): Promise<Rendition> {
    return { body: await ctx.platform.blobs.get(row.blob_key!), contentType: row.content_type!, size: Number(row.size), etag: `${row.source_key.split('/').pop()}-${row.variant}` };
  }

  function fileOnly(node: NodeRow): void {
    if (node.kind !== 'file' || !node.blob_key) throw new NoPreviewError('Folders have no preview.');
  }

  return {
    /** For the admin status: whether office previews work here, and whether they run without network. */
    async officeStatus(): Promise<{ soffice: string | null; networkIsolated: boolean }> {
      const soffice = await office.available();
      return { soffice, networkIsolated: soffice !== null && (await office.networkIsolated()) };
    },
    /** What the browser can show for this file, without making anything yet. */
    async describe(node: NodeRow): Promise<PreviewInfo> {
      const kind = previewKindOf(node);
      const info: PreviewInfo = { kind, available: true, reason: null, contentType: null, truncated: false, thumbnail: false };
      const size = Number(node.size);
      if (kind === 'none' || !node.blob_key) return { ...info, kind: 'none', available: false, reason: 'unsupported' };
      if (kind === 'text' || kind === 'markdown') return { ...info, contentType: 'text/plain; charset=utf-8', truncated: size > MAX_TEXT_BYTES };
      const officeReady = (await office.available()) !== null;
      if (kind === 'image') {
        if (size > MAX_IMAGE_BYTES) return { ...info, available: false, reason: 'too_large' };
        const failed = await ctx.store.rendition(node.blob_key, 'screen');
        if (failed && !failed.blob_key) return { ...info, available: false, reason: 'failed' };
        return { ...info, contentType: 'image/webp', thumbnail: true };
      }
      if (size > MAX_DOCUMENT_BYTES) return { ...info, available: false, reason: 'too_large' };
      if (kind === 'pdf') return { ...info, contentType: 'application/pdf', thumbnail: officeReady };
      if (!officeReady) return { ...info, available: false, reason: 'office_unavailable' };
      const failed = await ctx.store.rendition(node.blob_key, 'pdf');
      if (failed && !failed.blob_key) return { ...info, available: false, reason: 'failed', thumbnail: true };
      return { ...info, contentType: 'application/pdf', thumbnail: true };
    },

    /** The preview itself: a screen-sized image, a PDF (office documents converted), or the start of a text. */
    async content(node: NodeRow): Promise<Rendition> {
      fileOnly(node);
      const kind = previewKindOf(node);
      const size = Number(node.size);
      switch (kind) {
        case 'image':
          return serve(await rendition(node.blob_key!, 'screen', 'image/webp', async () => images.run(async () => renderImage(await readSource(node, MAX_IMAGE_BYTES), SCREEN_BOX))));
        case 'pdf':
          if (size > MAX_DOCUMENT_BYTES) throw new PreviewTooLargeError();
          return { body: await openContent(ctx, node.blob_key!), contentType: 'application/pdf', size, etag: `${node.etag}-pdf` };
        case 'office':
          if ((await office.available()) === null) throw new OfficePreviewUnavailableError();
          return serve(await rendition(node.blob_key!, 'pdf', 'application/pdf', () => convert(node, 'pdf')));
        case 'text':
        case 'markdown': {
          // Always plain text, whatever the file claims to be: the browser renders it, never runs it.
          if (size === 0) return { body: Buffer.alloc(0), contentType: 'text/plain; charset=utf-8', size: 0, etag: `${node.etag}-text` };
          const end = Math.min(size, MAX_TEXT_BYTES) - 1;
          return { body: await openContent(ctx, node.blob_key!, { start: 0, end }), contentType: 'text/plain; charset=utf-8', size: end + 1, etag: `${node.etag}-text` };
        }
        default:
          throw new NoPreviewError();
      }
    },

    /** A small WebP of an image, or of the first page of a PDF or office document. */
    async thumbnail(node: NodeRow, box: ThumbnailSize): Promise<Rendition> {
      fileOnly(node);
      const kind = previewKindOf(node);
      const variant = `thumb-${box}`;
      if (kind === 'image') {
        return serve(await rendition(node.blob_key!, variant, 'image/webp', async () => images.run(async () => renderImage(await readSource(node, MAX_IMAGE_BYTES), box))));
      }
      if (isDocument(kind)) {
        if ((await office.available()) === null) throw new OfficePreviewUnavailableError();
        const cached = await ctx.store.rendition(node.blob_key!, variant);
        if (cached) return serve(usable(cached));
        const page = await firstPage(node);
        return serve(
          await rendition(node.blob_key!, variant, 'image/webp', async () =>
            images.run(async () => {
              const stream = await ctx.platform.blobs.get(page.blob_key!);
              const parts: Buffer[] = [];
              for await (const chunk of stream) parts.push(chunk as Buffer);
              return renderImage(Buffer.concat(parts), box);
            }),
          ),
        );
      }
      throw new NoPreviewError('This type of file has no thumbnail.');
    },
  };
}

export type Previews = ReturnType<typeof createPreviews>;
