import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { ConflictError } from '../../../platform/errors.js';
import type { FilesContext } from '../context.js';
import { openContent } from '../content.js';
import type { NodeRow } from '../tables.js';

/** Content that deflate cannot shrink: stored as is, which saves the CPU. */
const ALREADY_COMPRESSED = /^(image\/(?!svg|bmp|x-ms-bmp|tiff)|video\/|audio\/|application\/(zip|gzip|x-7z|x-rar|x-xz|x-bzip2|zstd|pdf|vnd\.openxmlformats|vnd\.oasis\.opendocument))/;

/**
 * A folder and everything live below it as one zip stream (yazl): UTF-8 names, zip64 when sizes
 * need it, empty folders kept as entries. Blobs are opened one at a time as the zip reaches them,
 * so memory stays flat however large the folder. Permission is the caller's (view, as download).
 */
export async function zipFolder(ctx: FilesContext, folder: NodeRow): Promise<Readable> {
  if (folder.kind !== 'folder') throw new ConflictError('Only folders can be downloaded as a zip; download the file itself.', 'not_a_folder');
  const nodes = await ctx.store.liveSubtree(folder.id);
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  // A blob that fails to read (missing, corrupted) ends the download with an error, never a silently short zip.
  zip.on('error', (err: Error) => out.destroy(err));
  const prefixes = new Map<string, string>([[folder.id, '']]);
  for (const node of nodes) {
    if (node.id === folder.id) continue;
    const prefix = prefixes.get(node.parent_id ?? '');
    if (prefix === undefined) continue;
    const path = prefix + node.name;
    const mtime = new Date(node.modified_at);
    if (node.kind === 'folder') {
      prefixes.set(node.id, `${path}/`);
      zip.addEmptyDirectory(path, { mtime });
      continue;
    }
    const key = node.blob_key;
    const size = Number(node.size);
    if (!key || size === 0) {
      zip.addBuffer(Buffer.alloc(0), path, { mtime, compress: false });
      continue;
    }
    zip.addReadStreamLazy(path, { mtime, size, compress: !ALREADY_COMPRESSED.test(node.content_type ?? '') }, (cb) => {
      openContent(ctx, key).then(
        (stream) => cb(null, stream),
        (err: unknown) => cb(err, undefined as unknown as NodeJS.ReadableStream),
      );
    });
  }
  zip.end();
  return out;
}

/** `attachment; filename="..."` with an ASCII fallback and the exact UTF-8 name (RFC 6266). */
export function zipDisposition(folderName: string): string {
  const name = `${folderName || 'files'}.zip`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
