import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { Counter, Histogram } from 'prom-client';
import type { Platform } from '../platform.js';
import { registerErrorHandler } from './errorHandler.js';
import { registerSecurityHeaders } from './securityHeaders.js';
import { registerRateLimit } from './rateLimit.js';

/** The Fastify instance with everything every route relies on: errors, headers, limits, probes. */
export async function createHttpServer(platform: Platform, readiness: () => Promise<Record<string, string>>): Promise<FastifyInstance> {
  const { config } = platform;
  const app = Fastify({
    // Typed as the base logger so the instance is the plain FastifyInstance every module takes.
    loggerInstance: platform.log as FastifyBaseLogger,
    // One line per request only when debugging; metrics count requests otherwise.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: config.bodyLimit,
    // One reverse proxy: the client is the address it appended to X-Forwarded-For. `true` would
    // take the leftmost entry, which the client itself can write, and defeat the per-address
    // sign-in lockout and rate limit. (Fastify refuses a bare hop count, so the peer is trusted by position.)
    trustProxy: config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    routerOptions: { maxParamLength: 500 },
  });
  registerErrorHandler(app);
  registerSecurityHeaders(app, config.cookieSecure);
  registerRateLimit(app, config.rateLimitPerMinute);
  await app.register(cookie, { secret: platform.secret });
  // The API speaks JSON; text/plain and form bodies are a mistake or a cross-site form trick
  // (the only kinds a foreign page can post without asking), so 415. The OIDC provider, which
  // does take forms, parses its own bodies in its own scope.
  app.removeContentTypeParser('text/plain');

  const requests = new Counter({ name: 'tessera_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [platform.metrics] });
  const duration = new Histogram({ name: 'tessera_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'], registers: [platform.metrics] });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (req, reply) => {
    const results = await readiness();
    const ok = Object.values(results).every((v) => v === 'ok');
    // Anyone may ask, so the answer names what fails but not why (hosts, paths, user names): that goes to the log.
    if (!ok) req.log.warn({ checks: results }, 'not ready');
    const checks = Object.fromEntries(Object.entries(results).map(([name, v]) => [name, v === 'ok' ? 'ok' : 'failing']));
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(platform.metrics.contentType);
    return platform.metrics.metrics();
  });
  return app;
}
