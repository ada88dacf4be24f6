import { now } from '../../../platform/db/database.js';
import { auditBy, newId, scheduleBlobDeletion, type FilesActor, type FilesContext } from '../context.js';
import type { SpaceRow } from '../tables.js';
import type { ScanSession } from './clamd.js';
import { ScannerUnavailableError, TooLargeToScanError, VirusFoundError } from './errors.js';
import { QuarantineStore } from './quarantineStore.js';

/** Opens a clamd scan for one upload, or null when scanning is off. Fails closed (503) when clamd is down. */
export async function startScan(ctx: FilesContext, declaredLength?: number | null): Promise<ScanSession | null> {
  if (!ctx.scanner) return null;
  if (declaredLength != null && declaredLength > ctx.scanner.client.maxBytes) throw new TooLargeToScanError();
  try {
    return await ctx.scanner.client.start();
  } catch (e) {
    logUnavailable(ctx, e);
    throw e;
  }
}

export interface ScannedBlob {
  key: string;
  name: string;
  space: SpaceRow;
  size: number;
  sha256: string;
  /** A small upload's bytes, not stored anywhere yet (content.ts): quarantine keeps them in the database. */
  inline?: Buffer;
}

/**
 * Waits for clamd's verdict on a stored (not yet committed) blob. Clean: returns, the caller
 * commits. Infected: the blob is deleted or quarantined, `files.virus_found` is audited, and
 * VirusFoundError is thrown. No verdict: the blob is deleted and the upload refused (fail closed).
 */
export async function settleScan(ctx: FilesContext, actor: FilesActor, scan: ScanSession, blob: ScannedBlob): Promise<void> {
  let verdict;
  try {
    verdict = await scan.verdict();
  } catch (e) {
    logUnavailable(ctx, e);
    if (!blob.inline) await discard(ctx, blob.key);
    throw e;
  }
  if (verdict.clean) return;
  const mode = ctx.scanner!.mode;
  const quarantineId = mode === 'quarantine' ? newId() : null;
  await ctx.store.transaction(async (tx) => {
    if (blob.inline) {
      if (quarantineId) await ctx.store.insertInlineContent(blob.key, blob.inline, tx);
    } else {
      await ctx.store.removePendingBlob(blob.key, tx);
    }
    if (quarantineId) {
      await new QuarantineStore(ctx.platform.database).insert(
        {
          id: quarantineId,
          blob_key: blob.key,
          name: blob.name,
          space_id: blob.space.id,
          user_id: actor.user.id,
          user_name: actor.user.username,
          signature: verdict.signature,
          size: blob.size,
          sha256: blob.sha256,
          created_at: now(),
        },
        tx,
      );
    } else if (!blob.inline) {
      await scheduleBlobDeletion(ctx, [blob.key], tx);
    }
    await ctx.platform.audit.append(
      auditBy(actor, {
        action: 'files.virus_found',
        outcome: 'failure',
        target: { type: 'space', id: blob.space.id },
        details: { name: blob.name, space: blob.space.id, spaceName: blob.space.name, signature: verdict.signature, size: blob.size, sha256: blob.sha256, mode, quarantineId },
      }),
      tx,
    );
  });
  ctx.platform.log.warn({ signature: verdict.signature, name: blob.name, space: blob.space.id, user: actor.user.id, mode }, 'virus found in an upload; refused');
  throw new VirusFoundError(verdict.signature, blob.name);
}

async function discard(ctx: FilesContext, key: string): Promise<void> {
  await ctx.platform.blobs.delete(key).catch(() => {});
  await ctx.store.removePendingBlob(key).catch(() => {});
}

function logUnavailable(ctx: FilesContext, e: unknown): void {
  if (e instanceof ScannerUnavailableError) ctx.platform.log.error({ reason: e.reason, clamd: ctx.scanner?.client.address }, 'virus scanner unavailable; upload refused');
}
