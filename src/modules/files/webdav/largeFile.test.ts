import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/identity.js';
import { davUser, type DavUser } from '../testing/fixtures.js';

const TOTAL = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** Fresh pseudo-random chunks, never held: a repeated buffer would hide copies the server keeps. */
function generated(hash: ReturnType<typeof createHash>): Readable {
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= TOTAL) return void this.push(null);
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let i = 0; i < CHUNK; i += 4) buf.writeUInt32LE(((produced + i) * 2654435761) >>> 0, i);
      hash.update(buf);
      produced += CHUNK;
      this.push(buf);
    },
  });
}

describe('a large file over WebDAV', () => {
  let ts: TestServer;
  let alice: DavUser;

  beforeAll(async () => {
    ts = await startTestServer();
    alice = await davUser(ts, { username: 'alice' });
  });
  afterAll(() => ts?.close());

  it('goes up and comes back down (256 MiB) with the server process memory staying flat', { timeout: 240_000 }, async () => {
    const url = new URL(`${alice.davUrl}big.bin`);
    const sent = createHash('sha256');
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { authorization: alice.auth, 'content-length': String(TOTAL) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        pipeline(generated(sent), req).catch(reject);
      });
      expect(status).toBe(201);

      const got = await fetch(url, { headers: { authorization: alice.auth } });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-length')).toBe(String(TOTAL));
      const received = createHash('sha256');
      let size = 0;
      for await (const chunk of got.body as unknown as AsyncIterable<Uint8Array>) {
        received.update(chunk);
        size += chunk.length;
      }
      expect(size).toBe(TOTAL);
      expect(received.digest('hex')).toBe(sent.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    const growthMiB = (peak - before) / 1024 / 1024;
    console.log(`WebDAV PUT+GET of 256 MiB (${ts.server.platform.blobs.kind} blobs): RSS growth ${growthMiB.toFixed(1)} MiB`);
    // Client and server share this process; either side buffering the file would add 256 MiB or more.
    expect(growthMiB).toBeLessThan(128);
  });
});
