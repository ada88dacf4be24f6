import { extname } from 'node:path';
import { unzipSync } from 'fflate';

/** Bounds of one extraction, so a huge or hostile file cannot take the worker down. */
export interface ExtractLimits {
  /** Files above this are not read at all (their name is still searchable). */
  maxFileBytes: number;
  /** Plain text: only this many leading bytes are read. */
  maxTextBytes: number;
  /** The indexed text is cut here. */
  maxChars: number;
  /** Uncompressed size above which an ODF/DOCX part is not inflated (zip bombs). */
  maxUnzippedBytes: number;
  timeoutMs: number;
}

export const DEFAULT_LIMITS: ExtractLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxTextBytes: 2 * 1024 * 1024,
  maxChars: 200_000,
  maxUnzippedBytes: 64 * 1024 * 1024,
  timeoutMs: 30_000,
};

export type DocKind = 'pdf' | 'docx' | 'odf' | 'text';

const TEXT_EXTENSIONS = new Set(['.txt', '.md', '.markdown', '.csv', '.tsv', '.json', '.xml', '.html', '.htm', '.yaml', '.yml', '.ini', '.log', '.rst', '.tex', '.ics', '.vcf', '.eml', '.srt', '.toml', '.sql', '.js', '.ts', '.py', '.sh', '.css']);
const ODF_EXTENSIONS = new Set(['.odt', '.ods', '.odp', '.ott', '.ots', '.otp']);

/** What kind of document a file is, from its name first (clients often send a vague Content-Type), or null: no text to extract. */
export function docKindOf(name: string, contentType: string | null): DocKind | null {
  const ext = extname(name).toLowerCase();
  if (ext === '.pdf') return 'pdf';
  if (ext === '.docx') return 'docx';
  if (ODF_EXTENSIONS.has(ext)) return 'odf';
  if (TEXT_EXTENSIONS.has(ext)) return 'text';
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/pdf') return 'pdf';
  if (type === 'application/vnd.openxmlformats-officedocument.wordprocessingml.document') return 'docx';
  if (type.startsWith('application/vnd.oasis.opendocument.')) return 'odf';
  if (ext === '' && (type.startsWith('text/') || type === 'application/json')) return 'text';
  return null;
}

export class ExtractTimeoutError extends Error {}

/** The document's text, whitespace collapsed and cut at `maxChars`. Throws on a broken file. */
export async function extractText(kind: DocKind, data: Uint8Array, limits: ExtractLimits, signal?: AbortSignal): Promise<string> {
  const deadline = Date.now() + limits.timeoutMs;
  const check = () => {
    if (signal?.aborted) throw new ExtractTimeoutError('the worker is stopping');
    if (Date.now() > deadline) throw new ExtractTimeoutError(`text extraction took longer than ${limits.timeoutMs} ms`);
  };
  const work = (async () => {
    switch (kind) {
      case 'text':
        return new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, limits.maxTextBytes));
      case 'odf':
        return odfText(data, limits);
      case 'docx':
        return docxText(data, limits);
      case 'pdf':
        return pdfText(data, limits, check);
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExtractTimeoutError(`text extraction took longer than ${limits.timeoutMs} ms`)), limits.timeoutMs);
  });
  try {
    return normalise(await Promise.race([work, timeout]), limits.maxChars);
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
  }
}

function normalise(text: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, maxChars);
}

function unzipOne(data: Uint8Array, path: string, limits: ExtractLimits): Uint8Array {
  const files = unzipSync(data, {
    filter: (f) => {
      if (f.name !== path) return false;
      if (f.originalSize > limits.maxUnzippedBytes) throw new Error(`${path} would inflate to ${f.originalSize} bytes`);
      return true;
    },
  });
  const part = files[path];
  if (!part) throw new Error(`not an office document: ${path} is missing`);
  return part;
}

/** ODF keeps all its text in content.xml; paragraphs and cells become spaces, tags go. */
function odfText(data: Uint8Array, limits: ExtractLimits): string {
  const xml = new TextDecoder().decode(unzipOne(data, 'content.xml', limits));
  return decodeEntities(
    xml
      .replace(/<text:(tab|line-break)\/>/g, ' ')
      .replace(/<text:s( [^>]*)?\/>/g, ' ')
      .replace(/<\/(text:p|text:h|table:table-cell|text:list-item)>/g, ' ')
      .replace(/<[^>]+>/g, ''),
  );
}

async function docxText(data: Uint8Array, limits: ExtractLimits): Promise<string> {
  // Checked first with fflate: mammoth would inflate a zip bomb in full.
  unzipOne(data, 'word/document.xml', limits);
  const mammoth = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
  return value;
}

async function pdfText(data: Uint8Array, limits: ExtractLimits, check: () => void): Promise<string> {
  // The legacy build runs on Node without a DOM; getTextContent needs no canvas.
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(data), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  const doc = await task.promise;
  try {
    const parts: string[] = [];
    let length = 0;
    for (let i = 1; i <= doc.numPages && length < limits.maxChars; i++) {
      check();
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      for (const item of content.items) {
        if ('str' in item) {
          parts.push(item.str, item.hasEOL ? ' ' : '');
          length += item.str.length + 1;
        }
      }
      parts.push(' ');
      page.cleanup();
    }
    return parts.join('');
  } finally {
    await task.destroy();
  }
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const lower = e.toLowerCase();
    if (lower === 'amp') return '&';
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
  });
}
