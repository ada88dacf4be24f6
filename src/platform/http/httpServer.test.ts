import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createPlatform, type Platform } from '../platform.js';
import { migrate } from '../db/migrations.js';
import { platformMigrations } from '../db/platformMigrations.js';
import { testConfig } from '../../test-support/stack.js';
import { NotFoundError } from '../errors.js';
import { createHttpServer } from './httpServer.js';
import { parse } from './validate.js';

describe('HTTP platform', () => {
  let platform: Platform;
  let app: FastifyInstance;
  const echoed: unknown[] = [];

  beforeAll(async () => {
    platform = await createPlatform(await testConfig({ bodyLimit: 2048, rateLimitPerMinute: 50 }));
    await migrate(platform.database, [platformMigrations]);
    app = await createHttpServer(platform, async () => ({ database: 'ok' }));
    const body = z.object({ name: z.string().min(1).max(20), age: z.number().int().min(0) }).strict();
    app.post('/api/echo', async (req) => {
      const input = parse(body, req.body, 'request body');
      echoed.push(input);
      return input;
    });
    app.get('/api/missing', async () => {
      throw new NotFoundError('The thing is gone.');
    });
    app.get('/api/whoami', async (req) => ({ ip: req.ip }));
    app.get('/api/crash', async () => {
      throw new Error('secret internal detail');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await platform.close();
  });

  it('answers health, readiness and Prometheus metrics', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('tessera_http_requests_total');
    expect(metrics.body).toContain('tessera_process_resident_memory_bytes');
  });

  it('sets a strict CSP and the other security headers on every answer', async () => {
    const res = await app.inject('/healthz');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('maps every kind of bad input to one error shape and changes nothing', async () => {
    const before = echoed.length;
    const cases: { payload: string; type?: string; status: number; code: string }[] = [
      { payload: '{"name":"a","age":1,"admin":true}', status: 400, code: 'invalid_input' },
      { payload: '{"name":"a","age":"1"}', status: 400, code: 'invalid_input' },
      { payload: '{"name":"' + 'x'.repeat(21) + '","age":1}', status: 400, code: 'invalid_input' },
      { payload: '{"name":', status: 400, code: 'invalid_json' },
      { payload: '[]', status: 400, code: 'invalid_input' },
      { payload: 'name=a', type: 'text/plain', status: 415, code: 'unsupported_media_type' },
      { payload: 'name=a&age=1', type: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
      { payload: '{"name":"' + 'x'.repeat(4000) + '","age":1}', status: 413, code: 'payload_too_large' },
    ];
    for (const c of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/echo', payload: c.payload, headers: { 'content-type': c.type ?? 'application/json' } });
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: c.status, code: c.code });
      expect(typeof res.json().error.message).toBe('string');
    }
    expect(echoed.length).toBe(before);
    const ok = await app.inject({ method: 'POST', url: '/api/echo', payload: { name: "'; DROP TABLE x; --", age: 3 } });
    expect(ok.json()).toEqual({ name: "'; DROP TABLE x; --", age: 3 });
  });

  it('names the failing field in validation errors', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { name: '', age: 1 } });
    expect(res.json().error.message).toMatch(/^Invalid request body: name: /);
  });

  it('hides internal errors behind a generic 500 and maps domain errors', async () => {
    const crash = await app.inject('/api/crash');
    expect(crash.statusCode).toBe(500);
    expect(crash.body).not.toContain('secret internal detail');
    const missing = await app.inject('/api/missing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: 'The thing is gone.' } });
  });

  it('rate-limits one address with 429 and Retry-After', async () => {
    let last = 0;
    let retryAfter: string | undefined;
    for (let i = 0; i < 60; i++) {
      const res = await app.inject({ url: '/api/missing', remoteAddress: '192.0.2.77' });
      last = res.statusCode;
      retryAfter = res.headers['retry-after'] as string | undefined;
      if (last === 429) break;
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await app.inject({ url: '/api/missing', remoteAddress: '192.0.2.78' })).statusCode).toBe(404);
  });

  it('rate-limits /api whatever the spelling of the path', async () => {
    for (const url of ['/%61pi/missing', '/%61pi/nowhere']) {
      let last = 0;
      for (let i = 0; i < 60 && last !== 429; i++) last = (await app.inject({ url, remoteAddress: `192.0.2.${url.length}` })).statusCode;
      expect(last).toBe(429);
    }
  });

  it('ignores X-Forwarded-For unless behind a proxy, and then takes only what the proxy appended', async () => {
    expect((await app.inject({ url: '/api/whoami', remoteAddress: '192.0.2.91', headers: { 'x-forwarded-for': '203.0.113.9' } })).json()).toEqual({ ip: '192.0.2.91' });
    const proxied = await createPlatform(await testConfig({ trustProxy: true }));
    try {
      const behind = await createHttpServer(proxied, async () => ({}));
      behind.get('/api/whoami', async (req) => ({ ip: req.ip }));
      await behind.ready();
      // A client-written entry first, then the address the proxy saw.
      const res = await behind.inject({ url: '/api/whoami', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } });
      expect(res.json()).toEqual({ ip: '203.0.113.9' });
      await behind.close();
    } finally {
      await proxied.close();
    }
  });

  it('names a failing backend at /readyz without its internal error text', async () => {
    const other = await createPlatform(await testConfig());
    try {
      const failing = await createHttpServer(other, async () => ({ database: 'connect ECONNREFUSED 10.9.8.7:5432', blobs: 'ok' }));
      await failing.ready();
      const res = await failing.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not ready', checks: { database: 'failing', blobs: 'ok' } });
      expect(res.body).not.toContain('10.9.8.7');
      await failing.close();
    } finally {
      await other.close();
    }
  });
});
