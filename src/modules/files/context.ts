import type { AuditEntryInput } from '../../platform/audit/auditLog.js';
import type { Tx } from '../../platform/db/database.js';
import { now } from '../../platform/db/database.js';
import { randomTag, timeOrderedId } from '../../platform/db/ids.js';
import type { Platform } from '../../platform/platform.js';
import type { IdentityService, UserView } from '../identity/types.js';
import type { FilesStore } from './store.js';
import { SearchStore } from './search/searchStore.js';
import type { VirusScanner } from './scan/clamd.js';
import type { NodeRow } from './tables.js';

/** Who is acting: the person, and the address for the audit trail. */
export interface FilesActor {
  user: UserView;
  ip?: string | null;
}

/** What every files command needs. */
export interface FilesContext {
  platform: Platform;
  store: FilesStore;
  identity: IdentityService;
  /** Set when an administrator configured clamd: every upload is scanned before it commits. */
  scanner?: { client: VirusScanner; mode: 'delete' | 'quarantine' };
}

export const DELETE_BLOBS_JOB = 'files.deleteBlobs';
/** Extracts a file's text into the search index after its content committed. */
export const INDEX_CONTENT_JOB = 'files.indexContent';
/** Indexing waits this long after a write, so the files of one folder upload go in one batch. */
const INDEX_DELAY_MS = 500;

/** (Re)indexes a file's content once this transaction commits (uploads, copies, version restores). */
export async function scheduleIndexing(ctx: FilesContext, nodeIds: string[], tx: Tx): Promise<void> {
  if (nodeIds.length === 0) return;
  await new SearchStore(ctx.platform.database).enqueue([...new Set(nodeIds)], now(), tx);
  // One drain job for everything queued: a burst of uploads shares its runs (and their commits).
  await ctx.platform.jobs.enqueue(INDEX_CONTENT_JOB, null, { tx, maxAttempts: 3, coalesce: true, runAt: new Date(Date.now() + INDEX_DELAY_MS) });
}

/** Every overwrite keeps the previous content; this many of the newest are kept (TESSERA_FILES_VERSIONS_KEPT). */
export function versionsKept(ctx: FilesContext): number {
  return ctx.platform.config.files.versionsKept;
}

/** Ids and content keys are time-ordered (ids.ts): a burst of uploads then writes few index pages. */
export function newId(): string {
  return timeOrderedId();
}

/** A fresh strong entity tag: every content or metadata change gets a new one. */
export function newEtag(): string {
  return randomTag();
}

export function blobKeyFor(spaceId: string): string {
  return `files/${spaceId}/${timeOrderedId()}`;
}

export function auditBy(actor: FilesActor, entry: Omit<AuditEntryInput, 'actor' | 'ip'>): AuditEntryInput {
  return { ...entry, actor: { id: actor.user.id, name: actor.user.username }, ip: actor.ip ?? null };
}

/** A folder's entity tag and time change when its list of children does, so sync clients notice. */
export async function touchFolder(ctx: FilesContext, folderId: string | null, actor: FilesActor, tx: Tx): Promise<void> {
  if (!folderId) return;
  await ctx.store.touchNode(folderId, newEtag(), now(), actor.user.id, tx);
}

/** Blobs are deleted only after the rows that named them are gone for good (a job, after commit). */
export async function scheduleBlobDeletion(ctx: FilesContext, keys: string[], tx: Tx): Promise<void> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return;
  await ctx.platform.jobs.enqueue(DELETE_BLOBS_JOB, { keys: unique }, { tx });
}

export function folderRow(spaceId: string, parentId: string | null, name: string, actor: FilesActor | null): NodeRow {
  const t = now();
  return {
    id: newId(),
    space_id: spaceId,
    parent_id: parentId,
    name,
    kind: 'folder',
    size: 0,
    content_type: null,
    blob_key: null,
    sha256: null,
    etag: newEtag(),
    created_at: t,
    modified_at: t,
    created_by: actor?.user.id ?? null,
    modified_by: actor?.user.id ?? null,
    trash_id: null,
    trashed_at: null,
    trashed_by: null,
    trash_parent_id: null,
    trash_path: null,
  };
}
