import type { Tx } from '../../../platform/db/database.js';
import { scheduleBlobDeletion, type FilesContext } from '../context.js';

export const DROP_RENDITIONS_JOB = 'files.dropRenditions';

/**
 * Called in the transaction that replaces a file's content: after the commit a job removes the
 * cached previews of the old content, unless another file (a copy) still shows it.
 */
export async function scheduleRenditionCleanup(ctx: FilesContext, sourceKeys: (string | null)[], tx: Tx): Promise<void> {
  const keys = [...new Set(sourceKeys.filter((k): k is string => !!k))];
  if (keys.length) await ctx.platform.jobs.enqueue(DROP_RENDITIONS_JOB, { sourceKeys: keys }, { tx });
}

/** Deletes the renditions of sources no file has as its content any more; their blobs go by the deletion job. */
export async function dropStaleRenditions(ctx: FilesContext, sourceKeys: string[]): Promise<number> {
  if (sourceKeys.length === 0) return 0;
  return ctx.store.transaction(async (tx: Tx) => {
    const stale: string[] = [];
    for (const key of sourceKeys) if (!(await ctx.store.isCurrentContent(key, tx))) stale.push(key);
    const blobs = await ctx.store.deleteRenditionsOf(stale, tx);
    await scheduleBlobDeletion(ctx, blobs, tx);
    return blobs.length;
  });
}

/** The hourly safety net: renditions made while their file changed, or left by a crash. */
export async function sweepStaleRenditions(ctx: FilesContext): Promise<number> {
  let dropped = 0;
  for (let round = 0; round < 100; round++) {
    const sources = await ctx.store.staleRenditionSources(100);
    if (sources.length === 0) break;
    dropped += await dropStaleRenditions(ctx, sources);
  }
  return dropped;
}
