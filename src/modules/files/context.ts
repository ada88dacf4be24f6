import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditEntryInput } from '../../platform/audit/auditLog.js';
import type { Tx } from '../../platform/db/database.js';
import { now } from '../../platform/db/database.js';
import type { Platform } from '../../platform/platform.js';
import type { IdentityService, UserView } from '../identity/types.js';
import type { FilesStore } from './store.js';
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
}

export const DELETE_BLOBS_JOB = 'files.deleteBlobs';

/** Every overwrite keeps the previous content; this many of the newest are kept. */
export const MAX_VERSIONS = 10;

export function newId(): string {
  return randomUUID();
}

/** A fresh strong entity tag: every content or metadata change gets a new one. */
export function newEtag(): string {
  return randomBytes(12).toString('hex');
}

export function blobKeyFor(spaceId: string): string {
  return `files/${spaceId}/${randomUUID()}`;
}

export function auditBy(actor: FilesActor, entry: Omit<AuditEntryInput, 'actor' | 'ip'>): AuditEntryInput {
  return { ...entry, actor: { id: actor.user.id, name: actor.user.username }, ip: actor.ip ?? null };
}

/** A folder's entity tag and time change when its list of children does, so sync clients notice. */
export async function touchFolder(ctx: FilesContext, folderId: string | null, actor: FilesActor, tx: Tx): Promise<void> {
  if (!folderId) return;
  await ctx.store.updateNode(folderId, { etag: newEtag(), modified_at: now(), modified_by: actor.user.id }, tx);
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
