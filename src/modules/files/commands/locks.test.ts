import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../platform/db/database.js';
import { migrate } from '../../../platform/db/migrations.js';
import { platformMigrations } from '../../../platform/db/platformMigrations.js';
import { testConfig } from '../../../test-support/stack.js';
import { filesMigrations } from '../migrations.js';
import { FilesStore } from '../store.js';
import type { LockRow } from '../tables.js';
import { ancestorsOrSelf } from './locks.js';

describe('lock lookups by path', () => {
  let database: Database;
  let store: FilesStore;
  const future = new Date(Date.now() + 3_600_000).toISOString();
  const past = new Date(Date.now() - 1000).toISOString();
  const at = new Date().toISOString();

  beforeAll(async () => {
    database = await openDatabase((await testConfig()).database);
    await migrate(database, [platformMigrations, filesMigrations]);
    store = new FilesStore(database);
    const at0 = new Date().toISOString();
    await store.insertSpaceIfAbsent(
      { id: 's1', kind: 'group', owner_id: 'g1', name: 'team', root_id: 'r1', created_at: at0, quota_bytes: null },
      { id: 'r1', space_id: 's1', parent_id: null, name: '', kind: 'folder', size: 0, content_type: null, blob_key: null, sha256: null, etag: 'e', created_at: at0, modified_at: at0, created_by: null, modified_by: null, trash_id: null, trashed_at: null, trashed_by: null, trash_parent_id: null, trash_path: null },
    );
    const lock = (path: string, expires = future): LockRow => ({ token: `t:${path}:${expires}`, space_id: 's1', path, depth: 'infinity', scope: 'exclusive', owner: '', user_id: 'u1', timeout_seconds: 60, expires_at: expires, created_at: at0 });
    for (const path of ['/', '/a_b', '/a_b/x', '/axb/y', '/A_B/z', '/a%/q', '/a\\b/r', '/a_b/deep/er', '/gone']) {
      await database.transaction((tx) => store.insertLock(lock(path), tx));
    }
    await database.transaction((tx) => store.insertLock(lock('/a_b/old', past), tx));
  });
  afterAll(() => database.close());

  it('names the paths whose locks can cover a path', () => {
    expect(ancestorsOrSelf('/')).toEqual(['/']);
    expect(ancestorsOrSelf('/a')).toEqual(['/', '/a']);
    expect(ancestorsOrSelf('/a/b c/d')).toEqual(['/', '/a', '/a/b c', '/a/b c/d']);
  });

  it('finds active locks rooted exactly at the given paths', async () => {
    const paths = (await store.locksAt('s1', ['/', '/a_b', '/a_b/old', '/nothing'], at)).map((l) => l.path).sort();
    expect(paths).toEqual(['/', '/a_b']);
  });

  it('finds active locks below a path, taking _, %, backslash and case literally', async () => {
    const below = async (path: string) => (await store.locksUnder('s1', path, at)).map((l) => l.path).sort();
    expect(await below('/a_b')).toEqual(['/a_b/deep/er', '/a_b/x']);
    expect(await below('/a%')).toEqual(['/a%/q']);
    expect(await below('/a\\b')).toEqual(['/a\\b/r']);
    expect(await below('/A_B')).toEqual(['/A_B/z']);
    expect((await below('/')).length).toBe(8);
  });
});
