import { Worker } from 'node:worker_threads';
import { ExtractTimeoutError, type DocKind, type ExtractLimits } from './extractText.js';
import type { ExtractReply, ExtractRequest } from './extractWorker.js';

/** A parser inside the worker gets at most this much heap: a hostile document fails, the server does not. */
const WORKER_HEAP_MB = 512;
/** An idle worker (pdf.js loaded: tens of MB) is let go after this long. */
const IDLE_MS = 60_000;

interface Job {
  req: Omit<ExtractRequest, 'id'>;
  signal?: AbortSignal;
  resolve: (text: string) => void;
  reject: (e: Error) => void;
}

/**
 * Runs text extraction (pdf.js, mammoth, unzip) on one worker thread, a document at a time. A
 * document that takes longer than its time limit, or a stopping caller, terminates the thread: the
 * next document gets a fresh one. Nothing it parses can block the process's event loop.
 */
export class TextExtractor {
  private worker: Worker | null = null;
  private readonly queue: Job[] = [];
  private running = false;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly entry: URL = defaultEntry()) {}

  extract(kind: DocKind, data: Uint8Array, limits: ExtractLimits, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { kind, data, limits }, ...(signal ? { signal } : {}), resolve, reject });
      void this.pump();
    });
  }

  /** Stops the thread (shutdown); queued documents are refused. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    for (const job of this.queue.splice(0)) job.reject(new ExtractTimeoutError('the worker is stopping'));
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    clearTimeout(this.idleTimer);
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        try {
          job.resolve(await this.runOne(job));
        } catch (e) {
          job.reject(e as Error);
        }
      }
    } finally {
      this.running = false;
      this.idleTimer = setTimeout(() => void this.stopWorker(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private runOne(job: Job): Promise<string> {
    if (job.signal?.aborted) return Promise.reject(new ExtractTimeoutError('the worker is stopping'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        job.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const kill = (why: string) => done(() => {
        void this.stopWorker();
        reject(new ExtractTimeoutError(why));
      });
      const onMessage = (reply: ExtractReply) => {
        if (reply.id !== id) return;
        done(() => ('text' in reply ? resolve(reply.text) : reject(new Error(reply.error))));
      };
      const onError = (e: Error) => done(() => {
        this.worker = null;
        reject(new Error(`text extraction failed: ${e.message}`));
      });
      const onExit = (code: number) => done(() => {
        this.worker = null;
        reject(new Error(`the text extraction thread stopped (exit code ${code})`));
      });
      const onAbort = () => kill('the worker is stopping');
      const timer = setTimeout(() => kill(`text extraction took longer than ${job.req.limits.timeoutMs} ms`), job.req.limits.timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      job.signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ id, ...job.req } satisfies ExtractRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const source = this.entry.pathname.endsWith('.ts');
    // From TypeScript sources (tests, dev), the thread compiles its modules with tsx as the tests do.
    const worker = source
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(this.entry.href)}); });`, { eval: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } })
      : new Worker(this.entry, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    // Never keeps the process alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private async stopWorker(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}

function defaultEntry(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './extractWorker.ts' : './extractWorker.js', here);
}
