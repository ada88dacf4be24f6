import { randomUUID } from 'node:crypto';
import { now } from '../../../platform/db/database.js';
import type { FilesActor, FilesContext } from '../context.js';
import { LockedError } from '../errors.js';
import type { LockRow } from '../tables.js';
import { assertNoWopiLockCovered } from './wopiLocks.js';

/** Locks are WebDAV's (RFC 4918), kept in the database so every Tessera process honours them. */
export const DEFAULT_LOCK_SECONDS = 3600;
export const MAX_LOCK_SECONDS = 7 * 24 * 3600;

/** Does a lock rooted at `lock.path` apply to `path` ('/' is the space root)? */
export function lockCovers(lock: Pick<LockRow, 'path' | 'depth'>, path: string): boolean {
  if (lock.path === path) return true;
  if (lock.depth !== 'infinity') return false;
  return lock.path === '/' || path.startsWith(lock.path + '/');
}

/** Locks rooted strictly below `path` (they block deleting or moving a folder). */
export function locksBelow(locks: LockRow[], path: string): LockRow[] {
  return locks.filter((l) => l.path !== path && (path === '/' || l.path.startsWith(path + '/')));
}

export function activeLocks(ctx: FilesContext, spaceId: string): Promise<LockRow[]> {
  return ctx.store.activeLocks(spaceId, now());
}

export async function createLock(
  ctx: FilesContext,
  actor: FilesActor,
  spaceId: string,
  path: string,
  input: { depth: '0' | 'infinity'; scope: 'exclusive' | 'shared'; owner: string; timeoutSeconds: number },
): Promise<LockRow> {
  return ctx.store.transaction(async (tx) => {
    await ctx.store.lockSpace(spaceId, tx);
    const t = now();
    await ctx.store.deleteExpiredLocks(spaceId, t, tx);
    const locks = await ctx.store.activeLocks(spaceId, t, tx);
    const conflicting = [...locks.filter((l) => lockCovers(l, path)), ...(input.depth === 'infinity' ? locksBelow(locks, path) : [])].filter(
      (l) => l.scope === 'exclusive' || input.scope === 'exclusive',
    );
    if (conflicting.length) throw new LockedError('The item is locked by someone else already.');
    await assertNoWopiLockCovered(ctx, spaceId, { path, depth: input.depth }, tx);
    const seconds = Math.min(Math.max(input.timeoutSeconds, 1), MAX_LOCK_SECONDS);
    const row: LockRow = {
      token: `urn:uuid:${randomUUID()}`,
      space_id: spaceId,
      path,
      depth: input.depth,
      scope: input.scope,
      owner: input.owner,
      user_id: actor.user.id,
      timeout_seconds: seconds,
      expires_at: new Date(Date.now() + seconds * 1000).toISOString(),
      created_at: t,
    };
    await ctx.store.insertLock(row, tx);
    return row;
  });
}

export async function refreshLock(ctx: FilesContext, lock: LockRow, timeoutSeconds: number): Promise<LockRow> {
  const seconds = Math.min(Math.max(timeoutSeconds, 1), MAX_LOCK_SECONDS);
  const expiresAt = new Date(Date.now() + seconds * 1000).toISOString();
  await ctx.store.refreshLock(lock.token, seconds, expiresAt);
  return { ...lock, timeout_seconds: seconds, expires_at: expiresAt };
}

export async function removeLock(ctx: FilesContext, token: string): Promise<void> {
  await ctx.store.deleteLock(token);
}

/** After a DELETE or MOVE, locks rooted on the old place go with the resource that is gone. */
export async function removeLocksAt(ctx: FilesContext, spaceId: string, path: string): Promise<void> {
  const locks = await activeLocks(ctx, spaceId);
  for (const l of locks) if (l.path === path || (path !== '/' && l.path.startsWith(path + '/'))) await ctx.store.deleteLock(l.token);
}
