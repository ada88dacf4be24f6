import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, runTessera, stackEnv, startServe, type ServeProcess } from './helpers.js';

const ROUNDS = 3;
const WRITES_PER_ROUND = 40;
const ADMIN = { username: 'root', email: 'root@example.org', displayName: 'Root', password: 'crash-test-password-1' };

interface Acked {
  users: Map<string, string>; // id -> username
  groups: Set<string>; // name
  /** user id -> names it may have now: the last acknowledged one, or a later one whose answer the kill swallowed. */
  displayNames: Map<string, Set<string>>;
}

/**
 * "Nothing lost": a SIGKILL at any moment must keep every write that was acknowledged with a
 * 2xx, and must leave the audit chain intact. Writes run concurrently so the kill lands mid-stream.
 */
describe('crash safety', () => {
  let server: ServeProcess | undefined;
  afterAll(() => {
    server?.child.kill('SIGKILL');
  });

  it('keeps every acknowledged write across repeated SIGKILLs', async () => {
    const env = await stackEnv({ TESSERA_LOG_LEVEL: 'warn' });
    server = await startServe(env);
    expect(server.setupUrl, 'the first start logs a setup link').toBeTruthy();
    const token = new URL(server.setupUrl!).searchParams.get('token');
    let api = new ApiClient(server.url);
    const setup = await api.request('POST', '/api/setup', { token, ...ADMIN });
    expect(setup.status).toBe(201);

    const acked: Acked = { users: new Map(), groups: new Set(), displayNames: new Map() };
    for (let round = 0; round < ROUNDS; round++) {
      const known = [...acked.users.keys()];
      let successes = 0;
      let killed = false;
      const current = server;
      const kill = () => {
        if (killed) return;
        killed = true;
        current.child.kill('SIGKILL');
      };
      const record = (ok: boolean, onOk: () => void) => {
        if (!ok) return;
        onOk();
        // Kill once a few writes have landed, while most are still in flight.
        if (++successes >= 8) kill();
      };
      const writes = Array.from({ length: WRITES_PER_ROUND }, (_, i) => async () => {
        const kind = i % 4;
        // Each known user is renamed at most once per round, so the last acknowledged name is unambiguous.
        const renameTarget = kind === 3 ? known[(i - 3) / 4] : undefined;
        if (renameTarget) {
          const id = renameTarget;
          const displayName = `renamed r${round} w${i}`;
          acked.displayNames.get(id)?.add(displayName);
          const r = await api.request('PATCH', `/api/admin/users/${id}`, { displayName });
          record(r.status === 200, () => acked.displayNames.set(id, new Set([displayName])));
        } else if (kind === 2) {
          const name = `g${round}x${i}`;
          const r = await api.request('POST', '/api/admin/groups', { name, displayName: `Group ${name}` });
          record(r.status === 201, () => acked.groups.add(name));
        } else {
          const username = `u${round}x${i}`;
          const r = await api.request('POST', '/api/admin/users', { username, email: `${username}@example.org`, displayName: username, password: 'a-long-enough-password' });
          record(r.status === 201, () => {
            const id = (r.body.user as { id: string }).id;
            acked.users.set(id, username);
            acked.displayNames.set(id, new Set([username]));
          });
        }
      });
      // A safety net: if the writes finish before 8 successes (a very fast machine), kill anyway.
      const timer = setTimeout(kill, 5_000);
      await Promise.allSettled(writes.map((w) => w()));
      clearTimeout(timer);
      kill();
      await current.exited;
      expect(successes, `round ${round}: some writes were acknowledged before the kill`).toBeGreaterThan(0);
      expect(successes, `round ${round}: the kill landed while writes were still in flight`).toBeLessThan(WRITES_PER_ROUND);
      console.log(`crash round ${round + 1}: ${successes} of ${WRITES_PER_ROUND} concurrent writes acknowledged before SIGKILL`);

      server = await startServe(env);
      api = new ApiClient(server.url);
      const login = await api.request('POST', '/api/auth/login', { login: ADMIN.username, password: ADMIN.password });
      expect(login.status).toBe(200);

      const list = await api.request('GET', '/api/admin/users?limit=500');
      expect(list.status).toBe(200);
      const present = new Map((list.body.users as { id: string; username: string; displayName: string }[]).map((u) => [u.id, u]));
      for (const [id, username] of acked.users) expect(present.get(id)?.username, `acknowledged user ${username}`).toBe(username);
      for (const [id, allowed] of acked.displayNames) {
        const actual = present.get(id)?.displayName ?? '(missing)';
        expect([...allowed], `display name of ${id} after the kill`).toContain(actual);
        acked.displayNames.set(id, new Set([actual]));
      }
      const groups = await api.request('GET', '/api/admin/groups');
      const groupNames = new Set((groups.body.groups as { name: string }[]).map((g) => g.name));
      for (const name of acked.groups) expect(groupNames.has(name), `acknowledged group ${name}`).toBe(true);

      const verify = await api.request('GET', '/api/admin/audit/verify');
      expect(verify.body).toMatchObject({ ok: true, problems: [] });
    }

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    server = undefined;
    const cli = await runTessera(['audit', 'verify'], env);
    expect(cli.stdout).toMatch(/intact/);
    expect(cli.code).toBe(0);
  }, 300_000);
});
