import { parentPort } from 'node:worker_threads';
import { extractText, type DocKind, type ExtractLimits } from './extractText.js';

/**
 * The worker-thread side of TextExtractor: extracts one document per message. The parent owns the
 * time limit (it terminates this thread), so a parser stuck in a loop never holds the event loop
 * that serves requests.
 */
export interface ExtractRequest {
  id: number;
  kind: DocKind;
  data: Uint8Array;
  limits: ExtractLimits;
}

export type ExtractReply = { id: number; text: string } | { id: number; error: string };

parentPort?.on('message', (req: ExtractRequest) => {
  // The parent's timer is the limit; this one only has to be longer.
  void extractText(req.kind, req.data, { ...req.limits, timeoutMs: req.limits.timeoutMs * 2 }).then(
    (text) => parentPort!.postMessage({ id: req.id, text } satisfies ExtractReply),
    (e: unknown) => parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) } satisfies ExtractReply),
  );
});
