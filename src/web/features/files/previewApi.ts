import { api } from '../../app/api.js';
import type { FileNode } from './api.js';

/** GET /api/files/nodes/:id/preview (docs/api.md, "Previews and thumbnails"). */
export type PreviewKind = 'image' | 'pdf' | 'text' | 'markdown' | 'office' | 'none';

export interface PreviewInfo {
  kind: PreviewKind;
  available: boolean;
  reason: 'unsupported' | 'too_large' | 'office_unavailable' | 'failed' | null;
  contentType: string | null;
  truncated: boolean;
  url: string | null;
  thumbnailUrl: string | null;
}

const enc = encodeURIComponent;

export const previewApi = {
  info: (id: string, signal?: AbortSignal) => api.get<PreviewInfo>(`/api/files/nodes/${enc(id)}/preview`, signal),
};

export const thumbnailUrl = (id: string, size: 64 | 128 | 256 | 512 = 256) => `/api/files/nodes/${enc(id)}/thumbnail?size=${size}`;

const THUMBNAILED = /\.(jpe?g|png|gif|webp|avif|tiff?|pdf|docx|xlsx|pptx|odt|ods|odp|doc|xls|ppt|rtf)$/i;

/** Worth asking the server for a thumbnail (it answers 415/503 for the rest; the icon stays then). */
export function mayHaveThumbnail(node: FileNode): boolean {
  return node.kind === 'file' && node.size > 0 && (THUMBNAILED.test(node.name) || (!!node.contentType?.startsWith('image/') && !node.contentType.includes('svg')));
}
