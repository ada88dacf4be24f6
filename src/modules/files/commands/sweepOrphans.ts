import type { FilesContext } from '../context.js';

/** Older than this, an upload that never committed belongs to a process that died (uploads of many GB take hours). */
export const ORPHAN_AGE_MS = 24 * 3600_000;

/**
 * Deletes blobs whose upload never committed (the process was killed between writing the blob
 * and committing the file row). Returns how many were removed.
 */
export async function sweepOrphanBlobs(ctx: FilesContext, olderThanMs = ORPHAN_AGE_MS): Promise<number> {
  const before = new Date(Date.now() - olderThanMs).toISOString();
  let removed = 0;
  for (;;) {
    const keys = await ctx.store.pendingBlobsBefore(before, 100);
    if (keys.length === 0) return removed;
    for (const key of keys) {
      if (!(await ctx.store.isBlobReferenced(key))) {
        await ctx.platform.blobs.delete(key);
        removed++;
      }
      await ctx.store.removePendingBlob(key);
    }
  }
}
