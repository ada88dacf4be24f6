import { api, ApiError, request, UNAUTHORIZED_EVENT, type ApiErrorBody } from '../../app/api.js';

/** Types and calls for the Files REST API (docs/api.md, "Files"). */

export interface Space {
  id: string;
  kind: 'personal' | 'group';
  name: string;
  rootId: string;
  usedBytes: number;
  quotaBytes: number | null;
}

export interface FileNode {
  id: string;
  spaceId: string;
  parentId: string | null;
  name: string;
  kind: 'folder' | 'file';
  size: number;
  contentType: string | null;
  etag: string;
  createdAt: string;
  modifiedAt: string;
}

export interface Listing {
  folder: FileNode;
  items: FileNode[];
  total: number;
  limit: number;
  offset: number;
}

export interface TrashItem {
  id: string;
  name: string;
  kind: 'folder' | 'file';
  size: number;
  originalPath: string | null;
  deletedAt: string;
  deletedBy: string | null;
}

export interface Version {
  id: string;
  size: number;
  contentType: string | null;
  etag: string;
  createdAt: string;
  createdBy: string | null;
}

export type SortKey = 'name' | 'size' | 'modifiedAt';
export type SortOrder = 'asc' | 'desc';

export const PAGE_SIZE = 100;

const enc = encodeURIComponent;

export const filesApi = {
  spaces: (signal?: AbortSignal) => api.get<{ spaces: Space[] }>('/api/files/spaces', signal),
  node: (id: string, signal?: AbortSignal) => api.get<FileNode>(`/api/files/nodes/${enc(id)}`, signal),
  children: (id: string, opts: { offset: number; limit?: number; sort: SortKey; order: SortOrder }, signal?: AbortSignal) =>
    api.get<Listing>(`/api/files/nodes/${enc(id)}/children?limit=${opts.limit ?? PAGE_SIZE}&offset=${opts.offset}&sort=${opts.sort}&order=${opts.order}`, signal),
  createFolder: (parentId: string, name: string) => api.post<FileNode>(`/api/files/nodes/${enc(parentId)}/folders`, { name }),
  rename: (id: string, name: string) => api.patch<FileNode>(`/api/files/nodes/${enc(id)}`, { name }),
  move: (id: string, parentId: string) => api.patch<FileNode>(`/api/files/nodes/${enc(id)}`, { parentId }),
  copy: (id: string, parentId: string, name?: string) => api.post<FileNode>(`/api/files/nodes/${enc(id)}/copy`, name === undefined ? { parentId } : { parentId, name }),
  remove: (id: string) => api.del<void>(`/api/files/nodes/${enc(id)}`),
  trash: (spaceId: string) => api.get<{ items: TrashItem[] }>(`/api/files/spaces/${enc(spaceId)}/trash`),
  restore: (trashId: string) => api.post<FileNode>(`/api/files/trash/${enc(trashId)}/restore`),
  purge: (trashId: string) => api.del<void>(`/api/files/trash/${enc(trashId)}`),
  emptyTrash: (spaceId: string) => api.del<{ purged: number }>(`/api/files/spaces/${enc(spaceId)}/trash`),
  versions: (id: string) => api.get<{ versions: Version[] }>(`/api/files/nodes/${enc(id)}/versions`),
  restoreVersion: (id: string, versionId: string) => api.post<FileNode>(`/api/files/nodes/${enc(id)}/versions/${enc(versionId)}/restore`),
  /** Which extensions the office editor (WOPI) opens; empty when none is configured. */
  editor: (signal?: AbortSignal) => api.get<{ enabled: boolean; extensions: string[] }>('/api/files/editor', signal),
  editorSession: (id: string) => api.post<EditorSession>(`/api/files/nodes/${enc(id)}/wopi`),
};

export interface EditorSession {
  accessToken: string;
  /** Expiry, ms since the epoch (the WOPI access_token_ttl). */
  accessTokenTtl: number;
  wopiSrc: string;
  canWrite: boolean;
  actionUrl?: string;
}

/** The host page; opened as a full page load so it gets the CSP that lets it frame the editor. */
export const editorUrl = (id: string) => `/files/edit/${enc(id)}`;

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export interface SearchHit {
  node: FileNode;
  /** '/Folder/name': from the space root, or from the shared folder for items shared with you. */
  path: string;
  /** The folder to open to see the item; null when only the item itself is shared with you. */
  folderId: string | null;
  space: { id: string; kind: 'personal' | 'group'; name: string };
  snippet: string | null;
  matched: { name: boolean; content: boolean };
}

export const SEARCH_PAGE_SIZE = 20;

export const searchFiles = (q: string, offset: number, signal?: AbortSignal) =>
  api.get<{ items: SearchHit[]; hasMore: boolean }>(`/api/files/search?q=${enc(q)}&limit=${SEARCH_PAGE_SIZE}&offset=${offset}`, signal);

export const contentUrl = (id: string) => `/api/files/nodes/${enc(id)}/content`;
export const zipUrl = (id: string) => `/api/files/nodes/${enc(id)}/zip`;

export const favoritesApi = {
  list: () => api.get<{ items: (FileNode & { favoritedAt: string })[] }>('/api/files/favorites'),
  add: (id: string) => request<void>('PUT', `/api/files/nodes/${enc(id)}/favorite`),
  remove: (id: string) => api.del<void>(`/api/files/nodes/${enc(id)}/favorite`),
  recent: (limit = 50) => api.get<{ items: FileNode[] }>(`/api/files/recent?limit=${limit}`),
};

export interface UploadHandle {
  promise: Promise<FileNode>;
  abort(): void;
}

/**
 * PUTs one file with upload progress (fetch reports none; XMLHttpRequest does). `createOnly`
 * sends `If-None-Match: *`, so an existing file answers 412 instead of getting a new version.
 */
export function uploadFile(opts: { folderId: string; name: string; file: Blob; csrfToken: string; createOnly: boolean; onProgress: (loaded: number) => void }): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<FileNode>((resolve, reject) => {
    xhr.open('PUT', `/api/files/nodes/${enc(opts.folderId)}/upload?name=${enc(opts.name)}`);
    xhr.setRequestHeader('content-type', opts.file.type || 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('x-csrf-token', opts.csrfToken);
    if (opts.createOnly) xhr.setRequestHeader('if-none-match', '*');
    xhr.upload.onprogress = (e) => opts.onProgress(e.loaded);
    xhr.onerror = () => reject(new ApiError(0, { code: 'network', message: 'The server could not be reached.' }));
    xhr.onabort = () => reject(new ApiError(0, { code: 'aborted', message: 'Upload cancelled.' }));
    xhr.onload = () => {
      let data: unknown;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        opts.onProgress(opts.file.size);
        resolve(data as FileNode);
        return;
      }
      const err = (data as { error?: ApiErrorBody } | undefined)?.error;
      // As the app's client does: a session that ended elsewhere sends the person to sign in.
      if (xhr.status === 401 && err?.code === 'unauthenticated') window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
      reject(new ApiError(xhr.status, err ?? { code: `http_${xhr.status}`, message: xhr.statusText || 'Upload failed' }));
    };
    xhr.send(opts.file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** The name with " (n)" before its extension: "report.pdf" → "report (2).pdf". */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}
