/** Row shapes of the files module's tables (portable types: text, integer, bigint; ISO text times). */
export interface SpaceRow {
  id: string;
  kind: 'personal' | 'group';
  /** A user id for personal spaces, a group id for group spaces. */
  owner_id: string;
  name: string;
  root_id: string;
  created_at: string;
  /** Group spaces only: the quota an administrator set (null = unlimited). Personal spaces follow the owner's. */
  quota_bytes: number | null;
}

/** Bytes of live files per space, kept by triggers on files_nodes (migration 2026112415). */
export interface SpaceUsageRow {
  space_id: string;
  used_bytes: number;
}

export interface NodeRow {
  id: string;
  space_id: string;
  /** Null only for a space's root folder. */
  parent_id: string | null;
  name: string;
  kind: 'folder' | 'file';
  size: number;
  content_type: string | null;
  blob_key: string | null;
  sha256: string | null;
  etag: string;
  created_at: string;
  modified_at: string;
  created_by: string | null;
  modified_by: string | null;
  /** Id of the deleted item this node went to the trash with (itself for the top item); null when live. */
  trash_id: string | null;
  trashed_at: string | null;
  trashed_by: string | null;
  /** Where the top item lived, so a restore can put it back. */
  trash_parent_id: string | null;
  trash_path: string | null;
}

/**
 * The columns a folder listing (PROPFIND Depth 1) shows: half the row. The driver builds one
 * property per column and row; with every column a page of 500 entries took ~1.6 ms to read.
 */
export const LISTED_COLUMNS = ['id', 'parent_id', 'name', 'kind', 'size', 'content_type', 'etag', 'created_at', 'modified_at'] as const;
export type ListedNode = Pick<NodeRow, (typeof LISTED_COLUMNS)[number]>;

/**
 * The bytes of a small file, kept in the database instead of the blob store (content.ts). Keyed by
 * the blob key the file and its versions name, so copies and versions share it as they share blobs.
 */
export interface InlineContentRow {
  blob_key: string;
  content: Buffer;
}

export interface VersionRow {
  id: string;
  node_id: string;
  size: number;
  content_type: string | null;
  blob_key: string;
  sha256: string;
  etag: string;
  /** When this content was written (the file's modified time back then). */
  created_at: string;
  created_by: string | null;
}

export interface PropRow {
  node_id: string;
  ns: string;
  name: string;
  /** The property's value as an XML fragment (self-contained namespace declarations). */
  value: string;
}

export interface LockRow {
  token: string;
  space_id: string;
  /** Path inside the space ('/a/b'), so a lock can cover a name that does not exist yet. */
  path: string;
  depth: '0' | 'infinity';
  scope: 'exclusive' | 'shared';
  owner: string;
  user_id: string;
  timeout_seconds: number;
  expires_at: string;
  created_at: string;
}

/** A WOPI (office editor) lock on one file; it lapses at expires_at unless refreshed. */
export interface WopiLockRow {
  node_id: string;
  space_id: string;
  /** The editor's opaque lock id (up to 1024 characters). */
  lock_id: string;
  user_id: string;
  expires_at: string;
  created_at: string;
}

/** A blob being written for an upload: removed in the commit, so a leftover row marks an orphan. */
export interface PendingBlobRow {
  blob_key: string;
  created_at: string;
}

/** A file or folder shared with a person or a group (everything below a folder is covered). */
export interface ShareRow {
  id: string;
  node_id: string;
  space_id: string;
  grantee_type: 'user' | 'group';
  grantee_id: string;
  role: 'view' | 'edit';
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** A public link; only the SHA-256 of its token is stored. */
export interface LinkRow {
  id: string;
  node_id: string;
  space_id: string;
  token_hash: string;
  role: 'view' | 'edit' | 'upload';
  password_hash: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_by: string;
  created_at: string;
}

/** Failed password attempts on a public link, per key (`link:<id>` or `ip:<id>:<address>`). */
export interface LinkAttemptRow {
  key: string;
  failures: number;
  window_start: string;
  locked_until: string | null;
}

/**
 * A cached preview or thumbnail of some content, keyed by the content's blob key (copies share
 * it). `blob_key` null records a conversion that failed, so a broken file is not retried on every view.
 */
export interface RenditionRow {
  source_key: string;
  /** 'thumb-256', 'screen', 'pdf', 'page1'... (preview/variants.ts). */
  variant: string;
  blob_key: string | null;
  content_type: string | null;
  size: number;
  error: string | null;
  created_at: string;
}

/** A resumable (tus) upload; `received` (the tus offset) is the sum of its committed parts. */
export interface UploadRow {
  id: string;
  user_id: string;
  space_id: string;
  parent_id: string;
  name: string;
  content_type: string | null;
  /** 1: fail (412) rather than make a new version when the name is taken. */
  create_only: number;
  length: number;
  received: number;
  /** The Upload-Metadata header as the client sent it, echoed by HEAD. */
  metadata: string;
  /** The file it became, once complete. */
  node_id: string | null;
  created_at: string;
  expires_at: string;
}

/** The bytes of one PATCH: [start, start + size) of the upload. */
export interface UploadPartRow {
  upload_id: string;
  start: number;
  size: number;
  blob_key: string;
  created_at: string;
}

/** An item someone starred. */
export interface FavoriteRow {
  user_id: string;
  node_id: string;
  created_at: string;
}

/** When someone last opened a file (download, preview, editor): their Recent list. */
export interface OpenedRow {
  user_id: string;
  node_id: string;
  opened_at: string;
}

/** An upload the virus scanner refused, kept (quarantine mode) for administrators to inspect. */
export interface QuarantineRow {
  id: string;
  blob_key: string;
  name: string;
  space_id: string;
  user_id: string;
  user_name: string;
  signature: string;
  size: number;
  sha256: string;
  created_at: string;
}

/** A file waiting for (re-)indexing; a newer write moves `queued_at` on. */
export interface IndexQueueRow {
  node_id: string;
  queued_at: string;
}

/** Text extracted from a file for search; `doc_id` is the full-text index's row id. */
export interface SearchDocRow {
  doc_id: number;
  node_id: string;
  /** The file's entity tag when it was indexed: a job for older content changes nothing. */
  etag: string;
  /** 'indexed', 'skipped' (no text to extract) or 'failed' (broken file, logged). */
  status: string;
  indexed_at: string;
}

// A type alias (not an interface) so Kysely's withTables<T> sees an indexable record.
export type FilesTables = {
  files_spaces: SpaceRow;
  files_space_usage: SpaceUsageRow;
  /** name_folded: the name as search compares it (store.ts); null only before migration 2026112419 filled it. */
  files_nodes: NodeRow & { name_folded: string | null };
  files_versions: VersionRow;
  files_props: PropRow;
  files_locks: LockRow;
  files_pending_blobs: PendingBlobRow;
  files_inline_content: InlineContentRow;
  files_shares: ShareRow;
  files_links: LinkRow;
  files_link_attempts: LinkAttemptRow;
  files_renditions: RenditionRow;
  files_uploads: UploadRow;
  files_upload_parts: UploadPartRow;
  files_favorites: FavoriteRow;
  files_opened: OpenedRow;
  files_wopi_locks: WopiLockRow;
  files_quarantine: QuarantineRow;
  files_search_docs: SearchDocRow;
  files_index_queue: IndexQueueRow;
};
