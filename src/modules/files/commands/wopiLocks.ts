import type { Tx } from '../../../platform/db/database.js';
import { now } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/errors.js';
import type { FilesActor, FilesContext } from '../context.js';
import { LockedError } from '../errors.js';
import type { NodeRow, WopiLockRow } from '../tables.js';
import { lockCovers, locksCovering } from './locks.js';
import { pathOf } from './spaces.js';

/** WOPI locks lapse after 30 minutes unless the editor refreshes them (the spec's rule). */
export const WOPI_LOCK_MS = 30 * 60_000;
/** SupportsExtendedLockLength: lock ids up to 1024 ASCII characters. */
export const MAX_WOPI_LOCK_LENGTH = 1024;

/**
 * A WOPI lock stands in the way. REST and WebDAV answer 423 with the message; the WOPI adapter
 * answers 409 with `currentLock` in X-WOPI-Lock ('' when the file is not locked at all).
 */
export class WopiLockConflictError extends LockedError {
  constructor(
    readonly currentLock: string,
    readonly reason: string,
    readonly lockedByOtherInterface = false,
  ) {
    super(
      currentLock
        ? 'This file is open in an office editor, which locks it. Save and close it there, or wait up to 30 minutes for the lock to lapse, then try again.'
        : `The file's editor lock does not match: ${reason}.`,
      'locked_in_editor',
    );
  }
}

export function assertValidLockId(lockId: string | null | undefined): string {
  if (!lockId) throw new ValidationError('Send the lock id in the X-WOPI-Lock header.');
  if (lockId.length > MAX_WOPI_LOCK_LENGTH) throw new ValidationError(`A lock id has at most ${MAX_WOPI_LOCK_LENGTH} characters.`);
  return lockId;
}

/** The file's WOPI lock when it has not lapsed. */
export async function activeWopiLock(ctx: FilesContext, nodeId: string, tx?: Tx): Promise<WopiLockRow | undefined> {
  const row = await ctx.store.wopiLock(nodeId, tx);
  return row && row.expires_at > now() ? row : undefined;
}

/** The current lock id, '' when unlocked (GetLock). */
export async function currentWopiLock(ctx: FilesContext, nodeId: string): Promise<string> {
  return (await activeWopiLock(ctx, nodeId))?.lock_id ?? '';
}

/** Runs `fn` on the live file inside one transaction that holds the space's writer lock. */
async function withLiveFile<T>(ctx: FilesContext, node: NodeRow, fn: (file: NodeRow, current: WopiLockRow | undefined, tx: Tx) => Promise<T>): Promise<T> {
  return ctx.store.transaction(async (tx) => {
    await ctx.store.lockSpace(node.space_id, tx);
    const file = await ctx.store.node(node.id, tx);
    if (!file || file.trash_id !== null || file.kind !== 'file') throw new NotFoundError('This file does not exist (any more).');
    return fn(file, await activeWopiLock(ctx, file.id, tx), tx);
  });
}

function lockRow(file: NodeRow, lockId: string, actor: FilesActor, createdAt?: string): WopiLockRow {
  const t = now();
  return { node_id: file.id, space_id: file.space_id, lock_id: lockId, user_id: actor.user.id, expires_at: new Date(Date.now() + WOPI_LOCK_MS).toISOString(), created_at: createdAt ?? t };
}

/**
 * Lock, or UnlockAndRelock when `oldLock` is given. Locking again with the same id refreshes it
 * (the spec's rule); any other id while locked is a conflict.
 */
export async function lockWopi(ctx: FilesContext, actor: FilesActor, node: NodeRow, lockId: string, oldLock?: string): Promise<void> {
  assertValidLockId(lockId);
  await withLiveFile(ctx, node, async (file, current, tx) => {
    if (oldLock !== undefined) {
      if (!current) throw new WopiLockConflictError('', 'the file is not locked');
      if (current.lock_id !== oldLock) throw new WopiLockConflictError(current.lock_id, 'the old lock does not match the current lock');
      await ctx.store.putWopiLock(lockRow(file, lockId, actor), tx);
      return;
    }
    if (current) {
      if (current.lock_id !== lockId) throw new WopiLockConflictError(current.lock_id, 'the file is locked with another lock');
      await ctx.store.putWopiLock(lockRow(file, lockId, actor, current.created_at), tx);
      return;
    }
    // A WebDAV client holding the file must not have it changed under it by an editor either.
    const path = (await pathOf(ctx, file, tx)) || '/';
    const davLocks = await locksCovering(ctx, file.space_id, path, tx);
    if (davLocks.length) throw new WopiLockConflictError('', 'the file is locked by a WebDAV client', true);
    await ctx.store.putWopiLock(lockRow(file, lockId, actor), tx);
  });
}

export async function refreshWopiLock(ctx: FilesContext, actor: FilesActor, node: NodeRow, lockId: string): Promise<void> {
  assertValidLockId(lockId);
  await withLiveFile(ctx, node, async (file, current, tx) => {
    if (!current) throw new WopiLockConflictError('', 'the file is not locked');
    if (current.lock_id !== lockId) throw new WopiLockConflictError(current.lock_id, 'the file is locked with another lock');
    await ctx.store.putWopiLock(lockRow(file, lockId, actor, current.created_at), tx);
  });
}

export async function unlockWopi(ctx: FilesContext, node: NodeRow, lockId: string): Promise<void> {
  assertValidLockId(lockId);
  await withLiveFile(ctx, node, async (file, current, tx) => {
    if (!current) throw new WopiLockConflictError('', 'the file is not locked');
    if (current.lock_id !== lockId) throw new WopiLockConflictError(current.lock_id, 'the file is locked with another lock');
    await ctx.store.deleteWopiLock(file.id, tx);
  });
}

/**
 * May this write replace `existing`? Other writers (`wopiLock` undefined) never while a WOPI lock
 * holds. An editor (PutFile) must name the current lock; an unlocked file it may only fill while
 * it is still empty (the spec's rule for files created elsewhere and opened right away).
 */
export async function assertWopiWritable(ctx: FilesContext, existing: NodeRow | undefined, wopiLock: string | undefined, tx?: Tx): Promise<void> {
  if (!existing || existing.kind !== 'file') return;
  const current = await activeWopiLock(ctx, existing.id, tx);
  if (wopiLock === undefined) {
    if (current) throw new WopiLockConflictError(current.lock_id, 'the file is locked by an editor');
    return;
  }
  if (current) {
    if (current.lock_id !== wopiLock) throw new WopiLockConflictError(current.lock_id, 'the file is locked with another lock');
    return;
  }
  if (existing.size > 0) throw new WopiLockConflictError('', 'the file is not locked and not empty');
}

/**
 * Refuses to delete (`tree`) `node` while it or a file below it is held by a WOPI lock, or to
 * move (`self`) the held file itself; the holder of `allowedLock` (an editor renaming its own
 * file) may go ahead. Moving a folder above a held file is fine: editors address files by id.
 */
export async function assertNoWopiLockWithin(ctx: FilesContext, node: NodeRow, tx: Tx, allowedLock?: string, scope: 'self' | 'tree' = 'tree'): Promise<void> {
  const locks = await ctx.store.activeWopiLocks(node.space_id, now(), tx);
  for (const lock of locks) {
    if (lock.node_id === node.id) {
      if (allowedLock !== undefined && lock.lock_id === allowedLock) continue;
      throw new WopiLockConflictError(lock.lock_id, 'the file is locked by an editor');
    }
    if (node.kind !== 'folder' || scope === 'self') continue;
    const ancestry = await ctx.store.ancestry(lock.node_id, tx);
    if (ancestry.some((n) => n.id === node.id)) throw new WopiLockConflictError(lock.lock_id, 'a file inside is locked by an editor');
  }
}

/** WebDAV LOCK: refused on a path that holds a file an editor has locked. */
export async function assertNoWopiLockCovered(ctx: FilesContext, spaceId: string, lock: { path: string; depth: '0' | 'infinity' }, tx: Tx): Promise<void> {
  for (const w of await ctx.store.activeWopiLocks(spaceId, now(), tx)) {
    const file = await ctx.store.node(w.node_id, tx);
    if (!file || file.trash_id !== null) continue;
    if (lockCovers(lock, await pathOf(ctx, file, tx))) throw new WopiLockConflictError(w.lock_id, 'the file is locked by an editor');
  }
}
