import { NotFoundError } from '../../../platform/errors.js';
import type { Actor } from '../../identity/types.js';
import { scheduleBlobDeletion, type FilesContext } from '../context.js';
import type { QuarantineRow } from '../tables.js';
import { QuarantineStore } from './quarantineStore.js';

/** Administrators only (the route's guard): what clamd refused in quarantine mode, newest first. */
export function listQuarantine(ctx: FilesContext, page: { limit: number; offset: number }): Promise<QuarantineRow[]> {
  return new QuarantineStore(ctx.platform.database).list(page.limit, page.offset);
}

/** Deletes a quarantined upload for good: its row now, its blob by a job after the commit. */
export async function deleteQuarantined(ctx: FilesContext, actor: Actor, id: string): Promise<void> {
  const store = new QuarantineStore(ctx.platform.database);
  await ctx.store.transaction(async (tx) => {
    const row = await store.get(id, tx);
    if (!row) throw new NotFoundError('This quarantined item does not exist (any more).');
    await store.delete(id, tx);
    await scheduleBlobDeletion(ctx, [row.blob_key], tx);
    await ctx.platform.audit.append(
      { action: 'files.quarantine.delete', actor, ip: actor.ip ?? null, target: { type: 'quarantine', id }, details: { name: row.name, space: row.space_id, signature: row.signature } },
      tx,
    );
  });
}

export function presentQuarantined(r: QuarantineRow): Record<string, unknown> {
  return { id: r.id, name: r.name, spaceId: r.space_id, uploadedBy: { id: r.user_id, username: r.user_name }, signature: r.signature, size: Number(r.size), sha256: r.sha256, createdAt: r.created_at };
}
