/** Row shapes of the files module's tables (portable types: text, integer, bigint; ISO text times). */
export interface SpaceRow {
  id: string;
  kind: 'personal' | 'group';
  /** A user id for personal spaces, a group id for group spaces. */
  owner_id: string;
  name: string;
  root_id: string;
  created_at: string;
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

// A type alias (not an interface) so Kysely's withTables<T> sees an indexable record.
export type FilesTables = {
  files_spaces: SpaceRow;
  files_nodes: NodeRow;
  files_versions: VersionRow;
  files_props: PropRow;
  files_locks: LockRow;
  files_pending_blobs: PendingBlobRow;
  files_shares: ShareRow;
  files_links: LinkRow;
  files_link_attempts: LinkAttemptRow;
};
