import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startServer, type TesseraServer } from '../../server/main.js';
import { testConfig } from '../../test-support/stack.js';
import type { IdentityModule } from '../identity/types.js';

interface Session {
  cookie: string;
  csrf: string;
}

async function login(app: FastifyInstance, username: string, password: string): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: username, password } });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'tessera_session');
  return { cookie: `tessera_session=${cookie!.value}`, csrf: (res.json() as { csrfToken: string }).csrfToken };
}

describe('admin REST API', () => {
  let server: TesseraServer;
  let admin: Session;
  let member: Session;
  const get = (s: Session | null, url: string) => server.app.inject({ method: 'GET', url, headers: s ? { cookie: s.cookie } : {} });
  const send = (s: Session, method: 'POST' | 'PATCH', url: string, payload?: object) =>
    server.app.inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    server = await startServer(await testConfig(), { listen: false });
    const identity = server.modules.find((m) => m.id === 'identity') as IdentityModule;
    const system = { id: null, name: 'test' };
    await identity.service.createUser({ username: 'alice', email: 'alice@example.org', displayName: 'Alice', password: 'alice-password-1', isAdmin: true }, system);
    await identity.service.createUser({ username: 'bob', email: 'bob@example.org', displayName: 'Bob', password: 'bob-password-12' }, system);
    admin = await login(server.app, 'alice', 'alice-password-1');
    member = await login(server.app, 'bob', 'bob-password-12');
  });
  afterAll(() => server?.close());

  it('is for administrators only: 401 signed out, 403 for other people', async () => {
    expect((await get(null, '/api/admin/status')).statusCode).toBe(401);
    for (const url of ['/api/admin/audit', '/api/admin/audit/verify', '/api/admin/status', '/api/admin/jobs', '/api/admin/settings']) {
      const res = await get(member, url);
      expect(res.statusCode, url).toBe(403);
      expect((res.json() as { error: { code: string } }).error.code).toBe('forbidden');
    }
    expect((await send(member, 'PATCH', '/api/admin/settings', { instanceName: 'Mine' })).statusCode).toBe(403);
    expect((await send(member, 'POST', '/api/admin/jobs/x/retry')).statusCode).toBe(403);
  });

  it('lists the audit trail newest first, with filters and paging by seq', async () => {
    const all = (await get(admin, '/api/admin/audit')).json() as { entries: { seq: number; at: string; action: string; actorName: string | null }[] };
    expect(all.entries.length).toBeGreaterThan(2);
    const seqs = all.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(Object.keys(all.entries[0]!)).not.toContain('hash');

    const page1 = (await get(admin, '/api/admin/audit?limit=2')).json() as { entries: { seq: number }[] };
    expect(page1.entries).toHaveLength(2);
    const page2 = (await get(admin, `/api/admin/audit?limit=2&before=${page1.entries[1]!.seq}`)).json() as { entries: { seq: number }[] };
    expect(page2.entries[0]!.seq).toBeLessThan(page1.entries[1]!.seq);

    const byActor = (await get(admin, '/api/admin/audit?actor=test')).json() as typeof all;
    expect(byActor.entries.length).toBeGreaterThan(0);
    expect(byActor.entries.every((e) => e.actorName === 'test')).toBe(true);
    const future = (await get(admin, '/api/admin/audit?from=2999-01-01')).json() as typeof all;
    expect(future.entries).toEqual([]);
    // Date-only bounds are whole days: from the oldest entry's day to the newest entry's day finds all.
    const day = (e: { at?: string }) => String(e.at).slice(0, 10);
    const untilToday = (await get(admin, `/api/admin/audit?from=${day(all.entries.at(-1)!)}&to=${day(all.entries[0]!)}`)).json() as typeof all;
    expect(untilToday.entries.length).toBe(all.entries.length);
    const text = (await get(admin, '/api/admin/audit?text=zzz-no-such-thing')).json() as typeof all;
    expect(text.entries).toEqual([]);
  });

  it('answers 400 for bad audit filters', async () => {
    for (const q of ['from=yesterday', 'limit=0', 'limit=5000', 'limit=abc', 'before=-3', 'colour=blue', 'from=2026-02-01&to=2026-01-01']) {
      const res = await get(admin, `/api/admin/audit?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect((res.json() as { error: { code: string } }).error.code).toBe('invalid_input');
    }
  });

  it('verifies the audit chain', async () => {
    const res = await get(admin, '/api/admin/audit/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, problems: [] });
  });

  it('reports instance status', async () => {
    const res = await get(admin, '/api/admin/status');
    expect(res.statusCode).toBe(200);
    const s = res.json() as Record<string, unknown>;
    expect(s).toMatchObject({
      version: server.platform.version,
      database: { kind: server.platform.database.dialect, ok: true },
      blobs: { kind: server.platform.blobs.kind, ok: true },
      bus: { kind: server.platform.bus.kind, ok: true },
      disk: { path: server.platform.config.dataDir },
    });
    expect(s.modules).toEqual(expect.arrayContaining(['identity', 'admin', 'portal']));
    expect(Object.keys(s.tools as object).sort()).toEqual(['clamav', 'janus', 'libreoffice']);
    expect(typeof s.uptimeSeconds).toBe('number');
  });

  it('lists failed jobs and retries them (audited); 404 unknown, 409 not failed, 400 bad status', async () => {
    let calls = 0;
    server.platform.jobs.define('admin-test.flaky', {
      maxAttempts: 1,
      handler: async () => {
        calls++;
        if (calls === 1) throw new Error('first attempt fails');
      },
    });
    const id = await server.platform.jobs.enqueue('admin-test.flaky', {});
    const waitFor = async (status: string) => {
      for (let i = 0; i < 100; i++) {
        const res = (await get(admin, `/api/admin/jobs?status=${status}`)).json() as { jobs: { id: string; lastError: string | null }[] };
        const job = res.jobs.find((j) => j.id === id);
        if (job) return job;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`job never reached ${status}`);
    };
    expect((await waitFor('failed')).lastError).toContain('first attempt fails');
    expect((await send(admin, 'POST', `/api/admin/jobs/${id}/retry`)).statusCode).toBe(204);
    await waitFor('done');
    expect((await send(admin, 'POST', `/api/admin/jobs/${id}/retry`)).statusCode).toBe(409);
    expect((await send(admin, 'POST', '/api/admin/jobs/no-such-job/retry')).statusCode).toBe(404);
    expect((await get(admin, '/api/admin/jobs?status=exploded')).statusCode).toBe(400);
    const audit = (await get(admin, '/api/admin/audit?action=admin.job.retry')).json() as { entries: { targetId: string; actorName: string }[] };
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ targetId: id, actorName: 'alice' });
  });

  it('reads and changes instance settings, audited; refuses bad values and missing CSRF', async () => {
    expect((await get(admin, '/api/admin/settings')).json()).toEqual({ instanceName: 'Tessera', defaultLanguage: 'en', passwordMinLength: 10 });
    const noCsrf = await server.app.inject({ method: 'PATCH', url: '/api/admin/settings', headers: { cookie: admin.cookie }, payload: { instanceName: 'X' } });
    expect(noCsrf.statusCode).toBe(403);
    for (const bad of [{ passwordMinLength: 3 }, { passwordMinLength: 9 }, { defaultLanguage: 'es' }, { instanceName: '' }, { colour: 'blue' }, { passwordMinLength: '12' }]) {
      const res = await send(admin, 'PATCH', '/api/admin/settings', bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    const res = await send(admin, 'PATCH', '/api/admin/settings', { instanceName: 'Ministry of Tests', defaultLanguage: 'nl', passwordMinLength: 12 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ instanceName: 'Ministry of Tests', defaultLanguage: 'nl', passwordMinLength: 12 });
    expect((await get(admin, '/api/admin/settings')).json()).toMatchObject({ instanceName: 'Ministry of Tests' });
    const audit = (await get(admin, '/api/admin/audit?action=admin.settings.update')).json() as { entries: { actorName: string; details: { changes: Record<string, unknown> } }[] };
    expect(audit.entries[0]!.actorName).toBe('alice');
    expect(Object.keys(audit.entries[0]!.details.changes).sort()).toEqual(['defaultLanguage', 'instanceName', 'passwordMinLength']);
  });

  it('shows the admin tile to administrators only', async () => {
    const tiles = (s: Session) => get(s, '/api/portal/tiles').then((r) => (r.json() as { tiles: { id: string }[] }).tiles.map((t) => t.id));
    expect(await tiles(admin)).toContain('admin');
    expect(await tiles(member)).not.toContain('admin');
  });
});
