import { parentPort } from 'node:worker_threads';
import type { ExtractRequest } from '../extractWorker.js';

// A parser that never returns for a document starting with byte 1 (a hostile PDF, say), and
// answers "ok" otherwise: the test's stand-in for extractWorker.ts.
parentPort?.on('message', (req: ExtractRequest) => {
  if (req.data[0] === 1) for (;;);
  parentPort!.postMessage({ id: req.id, text: 'ok' });
});
