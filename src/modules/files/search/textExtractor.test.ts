import { afterEach, describe, expect, it } from 'vitest';
import { minimalPdf } from '../testing/documents.js';
import { DEFAULT_LIMITS, ExtractTimeoutError } from './extractText.js';
import { TextExtractor } from './textExtractor.js';

const SPIN = new URL('./testing/spinWorker.ts', import.meta.url);

describe('text extraction on its own thread', () => {
  const open: TextExtractor[] = [];
  const make = (entry?: URL) => {
    const x = entry ? new TextExtractor(entry) : new TextExtractor();
    open.push(x);
    return x;
  };
  afterEach(async () => {
    for (const x of open.splice(0)) await x.close();
  });

  it('extracts a PDF and an office-less text file through the worker thread', async () => {
    const x = make();
    expect(await x.extract('pdf', minimalPdf('quarterly figures'), DEFAULT_LIMITS)).toContain('quarterly figures');
    expect(await x.extract('text', Buffer.from('plain  words\n'), DEFAULT_LIMITS)).toBe('plain words');
    await expect(x.extract('docx', Buffer.from('not a zip'), DEFAULT_LIMITS)).rejects.toThrow();
  });

  it('a document that never finishes is stopped at its limit without blocking this thread, and the next one gets a fresh thread', async () => {
    const x = make(SPIN);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const started = Date.now();
    await expect(x.extract('pdf', Uint8Array.of(1), { ...DEFAULT_LIMITS, timeoutMs: 400 })).rejects.toBeInstanceOf(ExtractTimeoutError);
    clearInterval(ticker);
    expect(Date.now() - started).toBeLessThan(5000);
    // The event loop kept running while the worker spun.
    expect(ticks).toBeGreaterThan(5);
    expect(await x.extract('pdf', Uint8Array.of(0), DEFAULT_LIMITS)).toBe('ok');
  });

  it('a stopping caller ends the extraction at once', async () => {
    const x = make(SPIN);
    const stop = new AbortController();
    const pending = x.extract('pdf', Uint8Array.of(1), { ...DEFAULT_LIMITS, timeoutMs: 60_000 }, stop.signal);
    setTimeout(() => stop.abort(), 200);
    await expect(pending).rejects.toThrow(/stopping/);
    expect(await x.extract('pdf', Uint8Array.of(0), DEFAULT_LIMITS)).toBe('ok');
  });

  it('documents queued behind a stuck one still run, one at a time', async () => {
    const x = make(SPIN);
    const stuck = x.extract('pdf', Uint8Array.of(1), { ...DEFAULT_LIMITS, timeoutMs: 300 });
    const next = [x.extract('pdf', Uint8Array.of(0), DEFAULT_LIMITS), x.extract('pdf', Uint8Array.of(0), DEFAULT_LIMITS)];
    await expect(stuck).rejects.toBeInstanceOf(ExtractTimeoutError);
    expect(await Promise.all(next)).toEqual(['ok', 'ok']);
  });
});
