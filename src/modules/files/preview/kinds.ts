import type { NodeRow } from '../tables.js';

/** How the browser shows a file: each kind has one renderer in the web app. */
export type PreviewKind = 'image' | 'pdf' | 'text' | 'markdown' | 'office' | 'none';

/** Raster formats sharp decodes here; SVG is left out on purpose (it is a document that can script). */
export const IMAGE_FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'avif', 'heif', 'tiff']);

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'gif', 'webp', 'avif', 'tif', 'tiff']);
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);

const OFFICE_EXTENSIONS = new Set(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'doc', 'xls', 'ppt', 'rtf']);
const OFFICE_TYPES = new Set([
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/rtf',
  'text/rtf',
]);

const MARKDOWN_EXTENSIONS = new Set(['md', 'markdown', 'mdown', 'mkd']);
const TEXT_EXTENSIONS = new Set([
  'txt', 'text', 'log', 'csv', 'tsv', 'json', 'xml', 'yaml', 'yml', 'toml', 'ini', 'conf', 'cfg', 'env',
  'ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'css', 'html', 'htm', 'py', 'rb', 'go', 'rs', 'java', 'c', 'h', 'cpp',
  'hpp', 'cs', 'php', 'sh', 'bash', 'sql', 'ics', 'vcf', 'srt', 'vtt', 'tex',
]);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * The renderer for a file, from its name first (clients often upload everything as
 * application/octet-stream), then its declared type. Only a choice of renderer: image content is
 * checked again by sharp, and every rendition is served with a type Tessera picks.
 */
export function previewKindOf(node: Pick<NodeRow, 'kind' | 'name' | 'content_type'>): PreviewKind {
  if (node.kind !== 'file') return 'none';
  const ext = extensionOf(node.name);
  const type = (node.content_type ?? '').split(';')[0]!.trim().toLowerCase();
  if (IMAGE_EXTENSIONS.has(ext)) return 'image';
  if (ext === 'pdf') return 'pdf';
  if (OFFICE_EXTENSIONS.has(ext)) return 'office';
  if (MARKDOWN_EXTENSIONS.has(ext)) return 'markdown';
  if (TEXT_EXTENSIONS.has(ext)) return 'text';
  if (IMAGE_TYPES.has(type)) return 'image';
  if (type === 'application/pdf') return 'pdf';
  if (OFFICE_TYPES.has(type)) return 'office';
  if (type === 'text/markdown') return 'markdown';
  if (type.startsWith('text/') || type === 'application/json') return 'text';
  return 'none';
}

/** The extension soffice needs to pick its import filter (the temporary file is named by it). */
export function officeExtensionOf(node: Pick<NodeRow, 'name' | 'content_type'>): string {
  const ext = extensionOf(node.name);
  if (OFFICE_EXTENSIONS.has(ext) || ext === 'pdf') return ext;
  const type = (node.content_type ?? '').toLowerCase();
  if (type.includes('wordprocessingml')) return 'docx';
  if (type.includes('spreadsheetml')) return 'xlsx';
  if (type.includes('presentationml')) return 'pptx';
  if (type.includes('opendocument.text')) return 'odt';
  if (type.includes('opendocument.spreadsheet')) return 'ods';
  if (type.includes('opendocument.presentation')) return 'odp';
  if (type.includes('msword')) return 'doc';
  if (type.includes('ms-excel')) return 'xls';
  if (type.includes('ms-powerpoint')) return 'ppt';
  if (type.includes('rtf')) return 'rtf';
  if (type.includes('pdf')) return 'pdf';
  return 'bin';
}
