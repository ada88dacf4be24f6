import type { FastifyInstance } from 'fastify';
import { TooManyRequestsError } from '../errors.js';

/**
 * A fixed one-minute window per client address on /api. Per process on purpose: it protects
 * this process from a flood; account brute-force protection lives in identity and is shared.
 */
export function registerRateLimit(app: FastifyInstance, perMinute: number): void {
  let windowStart = Date.now();
  let counts = new Map<string, number>();
  app.addHook('onRequest', async (req, reply) => {
    // The routed path: a percent-encoded spelling (`/%61pi/...`) reaches the same handlers.
    const path = req.routeOptions.url ?? decodedPath(req.url);
    if (!path.startsWith('/api/')) return;
    const t = Date.now();
    if (t - windowStart >= 60_000) {
      windowStart = t;
      counts = new Map();
    }
    const n = (counts.get(req.ip) ?? 0) + 1;
    counts.set(req.ip, n);
    if (n > perMinute) {
      const retry = Math.ceil((windowStart + 60_000 - t) / 1000);
      reply.header('retry-after', String(retry));
      throw new TooManyRequestsError(`Too many requests. Wait ${retry} seconds and try again.`, retry);
    }
  });
}

function decodedPath(url: string): string {
  const path = url.split('?')[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
