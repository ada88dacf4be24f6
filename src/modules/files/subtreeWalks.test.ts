import { CompiledQuery, createQueryId } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../platform/db/database.js';
import { migrate } from '../../platform/db/migrations.js';
import { platformMigrations } from '../../platform/db/platformMigrations.js';
import { testConfig } from '../../test-support/stack.js';
import { FavoritesStore } from './favorites/store.js';
import { filesMigrations } from './migrations.js';
import { FilesStore } from './store.js';
import type { NodeRow } from './tables.js';

/**
 * The walks down a folder (delete, copy, move, zip; Recent below shares). Tessera's SQLite
 * databases have no planner statistics, and without them a walk once went through the index on
 * trash_id (every live item) and scanned the walk per item: seconds for a small folder in a large
 * database. The plans are checked here so that a new index or query shape cannot bring it back.
 */
describe('subtree walks', () => {
  let database: Database;
  let store: FilesStore;
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  const node = (id: string, parent: string | null, kind: 'file' | 'folder', minute = 0, trashId: string | null = null): NodeRow => ({
    id,
    space_id: 's1',
    parent_id: parent,
    name: id,
    kind,
    size: kind === 'file' ? 10 : 0,
    content_type: null,
    blob_key: kind === 'file' ? `k/${id}` : null,
    sha256: null,
    etag: `e-${id}`,
    created_at: at(0),
    modified_at: at(minute),
    created_by: null,
    modified_by: null,
    trash_id: trashId,
    trashed_at: trashId ? at(9) : null,
    trashed_by: null,
    trash_parent_id: null,
    trash_path: null,
  });

  beforeAll(async () => {
    database = await openDatabase((await testConfig()).database);
    await migrate(database, [platformMigrations, filesMigrations]);
    store = new FilesStore(database);
    await store.insertSpaceIfAbsent({ id: 's1', kind: 'group', owner_id: 'g1', name: 'team', root_id: 'root', created_at: at(0), quota_bytes: null }, node('root', null, 'folder'));
    await database.transaction((tx) =>
      store.insertNodes(
        [
          node('A', 'root', 'folder'),
          node('a1', 'A', 'file', 1),
          node('a2', 'A', 'file', 5),
          node('B', 'A', 'folder'),
          node('b1', 'B', 'file', 3),
          node('b2', 'B', 'file', 7),
          node('gone', 'A', 'file', 8, 'gone'),
          node('other', 'root', 'folder'),
          node('o1', 'other', 'file', 9),
        ],
        tx,
      ),
    );
  });
  afterAll(() => database.close());

  it('lists a folder and its live items, parents before children', async () => {
    const ids = (await store.liveSubtree('A')).map((n) => n.id);
    expect([...ids].sort()).toEqual(['A', 'B', 'a1', 'a2', 'b1', 'b2']);
    expect(ids.indexOf('A')).toBe(0);
    expect(ids.indexOf('B')).toBeLessThan(ids.indexOf('b1'));
    expect((await store.liveSubtree('b1')).map((n) => n.id)).toEqual(['b1']);
  });

  it('lists the files below shared folders once, newest first, even when one share is inside another', async () => {
    const recent = await new FavoritesStore(database).recentBelow(['A', 'B'], 10);
    expect(recent.map((n) => n.id)).toEqual(['b2', 'a2', 'b1', 'a1']);
  });

  it('on SQLite, walks from the parent index and never reads the whole table', async (ctx) => {
    if (database.dialect !== 'sqlite') {
      // PostgreSQL plans with the statistics it gathers itself; the trap was SQLite's.
      expect(database.dialect).toBe('postgres');
      return;
    }
    const seen: CompiledQuery[] = [];
    const executor = database.db.getExecutor();
    const spying: Database = {
      ...database,
      db: database.db.withPlugin({
        transformQuery: ({ node: query }) => {
          seen.push(executor.compileQuery(query, createQueryId()));
          return query;
        },
        transformResult: async ({ result }) => result,
      }),
    };
    await new FilesStore(spying).liveSubtree('A');
    await new FavoritesStore(spying).recentBelow(['A', 'B'], 10);
    expect(seen).toHaveLength(2);
    for (const query of seen) {
      const plan = (await database.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))).rows.map((r) => r.detail);
      const text = plan.join(' | ');
      expect(text, ctx.task.name).toContain('files_nodes_parent');
      expect(text).not.toContain('files_nodes_trash');
      expect(plan.filter((d) => /^SCAN (files_nodes|n)\b/.test(d)), text).toEqual([]);
    }
  });
});
