import type { Readable } from 'node:stream';
import { now, type Tx } from '../../../platform/db/database.js';
import { INDEX_CONTENT_JOB, scheduleIndexing, type FilesContext } from '../context.js';
import { DEFAULT_LIMITS, docKindOf, extractText, type ExtractLimits } from './extractText.js';
import { TextExtractor } from './textExtractor.js';
import { SearchStore } from './searchStore.js';
import type { NodeRow } from '../tables.js';
import { openContent } from '../content.js';

/** Plain text up to this size is decoded on the event loop (microseconds); bigger goes to the thread. */
const INLINE_TEXT_BYTES = 64 * 1024;

let shared: TextExtractor | undefined;
/** One extraction thread per process, started on first use. */
function extractor(): TextExtractor {
  return (shared ??= new TextExtractor());
}

interface IndexEntry {
  nodeId: string;
  /** The content that was read; the entry is written only if the file still has it. */
  blobKey: string | null;
  status: string;
  body: string;
}

/**
 * Extracts one file's current text. A broken or unreadable document is logged and indexed
 * without text (its name stays searchable); only infrastructure failures (database, blob store)
 * throw, and the drain job then retries.
 */
async function extractEntry(ctx: FilesContext, nodeId: string, node: NodeRow | undefined, indexedEtag: string | undefined, signal?: AbortSignal, limits: ExtractLimits = DEFAULT_LIMITS): Promise<IndexEntry | null> {
  // Purged meanwhile: nothing to keep.
  if (!node || node.kind !== 'file' || !node.blob_key) return { nodeId, blobKey: null, status: 'removed', body: '' };
  if (indexedEtag === node.etag) return null;

  const kind = docKindOf(node.name, node.content_type);
  let status = 'skipped';
  let body = '';
  if (kind && node.size <= limits.maxFileBytes) {
    const maxBytes = kind === 'text' ? limits.maxTextBytes : limits.maxFileBytes;
    const data = await readAtMost(await openContent(ctx, node.blob_key, node.size > maxBytes ? { start: 0, end: maxBytes - 1 } : undefined), maxBytes);
    try {
      // A small text file is decoded here: a round trip to the extraction thread would cost more.
      body = kind === 'text' && data.length <= INLINE_TEXT_BYTES ? await extractText(kind, data, limits, signal) : await extractor().extract(kind, data, limits, signal);
      status = 'indexed';
    } catch (err) {
      if (signal?.aborted) throw err;
      status = 'failed';
      ctx.platform.log.warn({ err, nodeId, name: node.name, kind }, 'could not extract the text of a file; it is searchable by name only');
    }
  }
  return { nodeId, blobKey: node.blob_key, status, body };
}

/**
 * Indexes a file whose bytes the writer holds, inside the writer's transaction, when that is cheap:
 * a small plain-text file (decoded here) or one with no text to extract. Such a file is searchable
 * the moment its upload is answered, and a burst of small uploads queues no work. Returns false for
 * the rest (PDF, office documents), which the caller queues for the extraction thread.
 */
export async function indexWithWrite(ctx: FilesContext, node: NodeRow, content: Buffer, tx: Tx, opts: { fresh: boolean; limits?: ExtractLimits }): Promise<boolean> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const kind = docKindOf(node.name, node.content_type);
  if (kind !== null && (kind !== 'text' || content.length > INLINE_TEXT_BYTES)) return false;
  const body = kind === 'text' ? await extractText(kind, content, limits) : '';
  await new SearchStore(ctx.platform.database).upsert({ nodeId: node.id, etag: node.etag, status: kind ? 'indexed' : 'skipped', body, at: now(), fresh: opts.fresh }, tx);
  return true;
}

async function writeEntries(ctx: FilesContext, search: SearchStore, entries: IndexEntry[], tx: Tx): Promise<void> {
  const currents = await ctx.store.nodesById(entries.filter((e) => e.blobKey !== null).map((e) => e.nodeId), tx);
  for (const e of entries) {
    if (e.blobKey === null) {
      await search.remove([e.nodeId], tx);
      continue;
    }
    // Another write may have landed while we read: the queue holds it again for a later batch.
    const current = currents.get(e.nodeId);
    if (!current || current.blob_key !== e.blobKey) continue;
    await search.upsert({ nodeId: e.nodeId, etag: current.etag, status: e.status, body: e.body, at: now() }, tx);
  }
}

/**
 * The INDEX_CONTENT_JOB handler: works through the queue a batch at a time; each batch's results
 * and its removal from the queue commit together, so a crash re-does at most one batch.
 */
export async function drainIndexQueue(ctx: FilesContext, signal?: AbortSignal, limits: ExtractLimits = DEFAULT_LIMITS, batchSize = 50): Promise<number> {
  const search = new SearchStore(ctx.platform.database);
  let done = 0;
  for (;;) {
    const batch = await search.queued(batchSize);
    if (batch.length === 0) return done;
    // One query each for the batch's rows and what the index holds, not two per file.
    const ids = batch.map((item) => item.node_id);
    const [nodes, indexed] = await Promise.all([ctx.store.nodesById(ids), search.indexedEtags(ids)]);
    const entries: IndexEntry[] = [];
    for (const item of batch) {
      if (signal?.aborted) throw new Error('indexing was stopped');
      const entry = await extractEntry(ctx, item.node_id, nodes.get(item.node_id), indexed.get(item.node_id), signal, limits);
      if (entry) entries.push(entry);
    }
    await search.transaction(async (tx) => {
      await writeEntries(ctx, search, entries, tx);
      await search.dequeue(batch, tx);
    });
    done += batch.length;
  }
}

async function readAtMost(stream: Readable, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= maxBytes) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

/**
 * Queues indexing for files the index has never seen (those stored before search existed); run by
 * the hourly sweep, a batch at a time so a large instance catches up without a burst.
 */
export async function indexMissing(ctx: FilesContext, batch = 500): Promise<number> {
  const search = new SearchStore(ctx.platform.database);
  const ids = await search.unindexedFiles(batch);
  if (ids.length) await search.transaction((tx) => scheduleIndexing(ctx, ids, tx));
  // Restarts a drain that gave up (its retries spent) while files were still queued.
  else if (await search.hasQueued()) await ctx.platform.jobs.enqueue(INDEX_CONTENT_JOB, null, { maxAttempts: 3, coalesce: true });
  return ids.length;
}
