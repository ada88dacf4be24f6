import { api, ApiError } from '../../app/api.js';
import type { FileNode } from './api.js';

/** GET <item>/preview (docs/api.md, "Previews and thumbnails"). */
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

/** What a preview shows of a file: signed-in items and public-link items alike. */
export type PreviewFile = Pick<FileNode, 'id' | 'name' | 'kind' | 'size' | 'contentType' | 'etag' | 'modifiedAt'>;

/**
 * Where the previews of some files come from. The signed-in Files UI and a public link serve the
 * same routes under different item paths; `visitor` is someone without an account (no
 * administrator to ask, no Files UI to go back to).
 */
export interface PreviewSource {
  visitor: boolean;
  info(id: string, signal?: AbortSignal): Promise<PreviewInfo>;
  contentUrl(id: string): string;
  thumbnailUrl(id: string, size?: 64 | 128 | 256 | 512): string;
}

const enc = encodeURIComponent;

function sourceAt(itemBase: (id: string) => string, visitor: boolean): PreviewSource {
  return {
    visitor,
    info: (id, signal) => api.get<PreviewInfo>(`${itemBase(id)}/preview`, signal),
    contentUrl: (id) => `${itemBase(id)}/content`,
    thumbnailUrl: (id, size = 256) => `${itemBase(id)}/thumbnail?size=${size}`,
  };
}

/** The signed-in person's files (GET /api/files/nodes/:id/...). */
export const filesPreviews: PreviewSource = sourceAt((id) => `/api/files/nodes/${enc(id)}`, false);

/**
 * The items of a public link; a password link's access cookie is scoped to this path. The unlock
 * lasts an hour: `onAccessExpired` hears of a 401 so the page can ask for the password again.
 */
export function linkPreviews(token: string, onAccessExpired?: () => void): PreviewSource {
  const source = sourceAt((id) => `/api/public/links/${enc(token)}/nodes/${enc(id)}`, true);
  return {
    ...source,
    info: (id, signal) =>
      source.info(id, signal).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) onAccessExpired?.();
        throw e;
      }),
  };
}

const THUMBNAILED = /\.(jpe?g|png|gif|webp|avif|tiff?|pdf|docx|xlsx|pptx|odt|ods|odp|doc|xls|ppt|rtf)$/i;

/** Worth asking the server for a thumbnail (it answers 415/503 for the rest; the icon stays then). */
export function mayHaveThumbnail(node: PreviewFile): boolean {
  return node.kind === 'file' && node.size > 0 && (THUMBNAILED.test(node.name) || (!!node.contentType?.startsWith('image/') && !node.contentType.includes('svg')));
}
