import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { platformMigrations } from '../db/platformMigrations.js';
import { testConfig } from '../../test-support/stack.js';
import { AuditLog } from './auditLog.js';

describe('audit log', () => {
  let database: Database;
  let audit: AuditLog;

  beforeAll(async () => {
    const config = await testConfig();
    database = await openDatabase(config.database);
    await migrate(database, [platformMigrations]);
    audit = new AuditLog(database, 'k'.repeat(40));
  });
  afterAll(() => database.close());

  async function fresh(): Promise<void> {
    await database.db.deleteFrom('audit_log').execute();
    await database.db.updateTable('audit_head').set({ seq: 0, hash: '' }).execute();
  }

  it('appends entries in order and finds them by actor, action, time and text', async () => {
    await fresh();
    await audit.append({ action: 'auth.login', actor: { id: 'u1', name: 'alice' }, ip: '10.0.0.1', details: { method: 'password' } });
    await audit.append({ action: 'auth.login', actor: { id: 'u2', name: 'bob' }, ip: '10.0.0.2', outcome: 'failure', details: { reason: 'bad password' } });
    await audit.append({ action: 'admin.user.create', actor: { id: 'u1', name: 'alice' }, target: { type: 'user', id: 'u3' } });
    const all = await audit.query({});
    expect(all.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect((await audit.query({ actor: 'alice' })).map((e) => e.seq)).toEqual([3, 1]);
    expect((await audit.query({ action: 'auth.' })).map((e) => e.seq)).toEqual([2, 1]);
    expect((await audit.query({ text: 'bad password' })).map((e) => e.actorName)).toEqual(['bob']);
    expect((await audit.query({ beforeSeq: 3, limit: 1 })).map((e) => e.seq)).toEqual([2]);
    expect((await audit.query({ from: '2999-01-01T00:00:00Z' })).length).toBe(0);
    expect(all[1]!.outcome).toBe('failure');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('treats search text literally, underscores and percent signs included, ignoring case', async () => {
    await fresh();
    await audit.append({ action: 'identity.app_password.create', details: { name: 'Thunderbird 100%' } });
    await audit.append({ action: 'identity.appXpassword.create', details: { name: 'other' } });
    expect((await audit.query({ action: 'identity.app_password' })).map((e) => e.seq)).toEqual([1]);
    expect((await audit.query({ text: '100%' })).map((e) => e.seq)).toEqual([1]);
    expect((await audit.query({ text: 'THUNDERBIRD' })).map((e) => e.seq)).toEqual([1]);
    expect((await audit.query({ text: '%' })).map((e) => e.seq)).toEqual([1]);
  });

  it('keeps the chain intact under concurrent appends', async () => {
    await fresh();
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.append({ action: 'test.concurrent', details: { i } })));
    const v = await audit.verify();
    expect(v).toEqual({ ok: true, checked: 40, problems: [] });
  });

  it('detects an edited entry', async () => {
    await fresh();
    for (let i = 0; i < 5; i++) await audit.append({ action: 'test.edit', actor: { id: 'u1', name: 'alice' }, details: { i } });
    await database.db.updateTable('audit_log').set({ actor_name: 'mallory' }).where('seq', '=', 3).execute();
    const v = await audit.verify();
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual({ seq: 3, problem: 'was edited after it was written (hash mismatch)' });
  });

  it('detects a deleted entry in the middle and at the end', async () => {
    await fresh();
    for (let i = 0; i < 5; i++) await audit.append({ action: 'test.delete', details: { i } });
    await database.db.deleteFrom('audit_log').where('seq', '=', 2).execute();
    let v = await audit.verify();
    expect(v.ok).toBe(false);
    expect(v.problems.some((p) => p.problem.includes('missing'))).toBe(true);

    await fresh();
    for (let i = 0; i < 5; i++) await audit.append({ action: 'test.delete', details: { i } });
    await database.db.deleteFrom('audit_log').where('seq', '=', 5).execute();
    v = await audit.verify();
    expect(v.ok).toBe(false);
    expect(v.problems.some((p) => p.problem.includes('newest entries were removed'))).toBe(true);
  });

  it('detects a forged entry written without the server secret', async () => {
    await fresh();
    await audit.append({ action: 'test.forge' });
    const forger = new AuditLog(database, 'x'.repeat(40));
    await forger.append({ action: 'admin.user.create', actor: { id: 'evil', name: 'evil' } });
    const v = await audit.verify();
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toEqual({ seq: 2, problem: 'was edited after it was written (hash mismatch)' });
  });

  it('commits with the transaction it was given, or not at all', async () => {
    await fresh();
    await expect(
      database.transaction(async (tx) => {
        await audit.append({ action: 'test.rollback' }, tx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const count = await sql<{ n: number }>`select count(*) as n from audit_log`.execute(database.db);
    expect(Number(count.rows[0]!.n)).toBe(0);
    expect((await audit.verify()).ok).toBe(true);
  });
});
