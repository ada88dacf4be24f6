import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.js';
import { STACK, tempDir } from '../../src/test-support/stack.js';
import { runTessera, stackEnv, startServe } from './helpers.js';

function databaseOf(env: Record<string, string>) {
  const url = env.TESSERA_DATABASE_URL;
  return openDatabase(url ? { kind: 'postgres', url } : { kind: 'sqlite', path: join(env.TESSERA_DATA_DIR!, 'tessera.db') });
}

// Each command is a fresh Node process loading every module: seconds each on a busy two-core machine.
describe('tessera CLI', { timeout: 180_000 }, () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await stackEnv();
  });

  it('answers usage errors with exit 2 and help with exit 0', async () => {
    const help = await runTessera(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('doctor');
    const unknown = await runTessera(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    const missing = await runTessera(['user', 'add', 'carol'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--email');
  });

  it('refuses to serve with a bad setting, naming it, exit 2', async () => {
    const r = await runTessera(['serve'], { ...env, TESSERA_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Invalid configuration: TESSERA_PORT: /m);

    const file = join(tempDir('tessera-conf-'), 'tessera.json');
    writeFileSync(file, JSON.stringify({ prot: 8080 }));
    const unknownKey = await runTessera(['--config', file, 'doctor'], env);
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toContain('prot: unknown setting');
  });

  it('adds, lists, disables, enables people and resets passwords', async () => {
    const alice = await runTessera(['user', 'add', 'alice', '--email', 'alice@example.org', '--name', 'Alice Liddell', '--admin'], env);
    expect(alice.code).toBe(0);
    expect(alice.stdout).toMatch(/Initial password: \S{10,}/);

    const bob = await runTessera(['user', 'add', 'bob', '--email', 'bob@example.org', '--name', 'Bob', '--password-stdin'], env, 'correct horse battery staple\n');
    expect(bob.code).toBe(0);
    expect(bob.stdout).not.toContain('Initial password');

    const dup = await runTessera(['user', 'add', 'bob', '--email', 'bob2@example.org', '--name', 'Bob 2'], env);
    expect(dup.code).toBe(1);
    const invalid = await runTessera(['user', 'add', 'eve', '--email', 'not-an-email', '--name', 'Eve'], env);
    expect(invalid.code).toBe(2);

    expect((await runTessera(['user', 'disable', 'bob'], env)).code).toBe(0);
    let list = await runTessera(['user', 'list', '--json'], env);
    expect(list.code).toBe(0);
    let users = (JSON.parse(list.stdout) as { users: { username: string; isAdmin: boolean; status: string }[] }).users;
    expect(users.map((u) => u.username).sort()).toEqual(['alice', 'bob']);
    expect(users.find((u) => u.username === 'alice')!.isAdmin).toBe(true);
    expect(users.find((u) => u.username === 'bob')!.status).toBe('disabled');

    expect((await runTessera(['user', 'enable', 'bob'], env)).code).toBe(0);
    list = await runTessera(['user', 'list'], env);
    expect(list.stdout).toMatch(/bob\s+bob@example\.org\s+Bob\s+no\s+active/);

    const reset = await runTessera(['user', 'reset-password', 'bob'], env);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/New password for bob: \S{10,}/);
    expect((await runTessera(['user', 'disable', 'nobody'], env)).code).toBe(1);
  });

  it('manages groups and nested membership', async () => {
    expect((await runTessera(['group', 'add', 'staff', '--display-name', 'All staff', '--require-2fa'], env)).code).toBe(0);
    expect((await runTessera(['group', 'add', 'board'], env)).code).toBe(0);
    expect((await runTessera(['group', 'add-member', 'staff', 'alice'], env)).code).toBe(0);
    expect((await runTessera(['group', 'add-member', 'staff', '@board'], env)).code).toBe(0);
    const cycle = await runTessera(['group', 'add-member', 'board', '@staff'], env);
    expect(cycle.code).toBe(1);
    let groups = JSON.parse((await runTessera(['group', 'list', '--json'], env)).stdout) as { groups: { name: string; memberCount: number; require2fa: boolean }[] };
    expect(groups.groups.find((g) => g.name === 'staff')).toMatchObject({ memberCount: 2, require2fa: true });
    expect((await runTessera(['group', 'remove-member', 'staff', '@board'], env)).code).toBe(0);
    groups = JSON.parse((await runTessera(['group', 'list', '--json'], env)).stdout) as typeof groups;
    expect(groups.groups.find((g) => g.name === 'staff')!.memberCount).toBe(1);
    const table = await runTessera(['group', 'list'], env);
    expect(table.stdout).toMatch(/staff\s+All staff\s+1\s+required/);
  });

  it('backs up the embedded stack into a folder that opens as a working copy', async () => {
    const target = join(tempDir('tessera-backup-'), 'copy');
    const r = await runTessera(['backup', target], env);
    if (STACK === 'server') {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('pg_dump');
      return;
    }
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(target, 'tessera.db'))).toBe(true);
    const copy = await runTessera(['user', 'list', '--json'], { ...env, TESSERA_DATA_DIR: target });
    expect((JSON.parse(copy.stdout) as { users: unknown[] }).users).toHaveLength(2);
    expect((await runTessera(['audit', 'verify'], { ...env, TESSERA_DATA_DIR: target })).code).toBe(0);
    expect((await runTessera(['backup', target], env)).code).toBe(2);
  });

  it('verifies the audit chain: exit 0 intact, exit 1 with each problem when tampered', async () => {
    const ok = await runTessera(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/intact: \d+ entries checked/);

    const database = await databaseOf(env);
    try {
      await database.db.updateTable('audit_log').set({ actor_name: 'mallory' }).where('seq', '=', 2).execute();
      await database.db.deleteFrom('audit_log').where('seq', '=', 4).execute();
    } finally {
      await database.close();
    }
    const bad = await runTessera(['audit', 'verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('entry 2: was edited');
    expect(bad.stdout).toMatch(/entries 4\.\.4 are missing/);
    expect(bad.stderr).toContain('NOT intact');
  });

  it('doctor prints the masked configuration and checks every backend', async () => {
    const r = await runTessera(['doctor'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('TESSERA_DATA_DIR');
    expect(r.stdout).not.toContain(env.TESSERA_SECRET);
    expect(r.stdout).toMatch(/database\s+ok/);
    expect(r.stdout).toMatch(/blob store\s+ok/);
    expect(r.stdout).toMatch(/Redis bus\s+ok/);

    const broken = await runTessera(['doctor'], { ...env, TESSERA_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/Redis bus\s+FAILED/);
    expect(broken.stdout).toContain('hint:');
  });

  it('serve shuts down cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const server = await startServe({ ...env, TESSERA_LOG_LEVEL: 'info' });
      server.child.kill(signal);
      expect(await server.exited, signal).toBe(0);
      expect(server.logs.some((l) => l.msg === 'stopped'), signal).toBe(true);
    }
  });
});
