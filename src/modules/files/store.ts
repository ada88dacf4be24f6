import { sql, type Kysely } from 'kysely';
import { withTables, type Database, type Tx } from '../../platform/db/database.js';
import { fold } from '../../platform/db/fold.js';
import { escapeLike } from '../../platform/db/like.js';
import { prepared } from '../../platform/db/prepared.js';
import { ConflictError } from '../../platform/errors.js';
import type { PlatformTables } from '../../platform/db/platformTables.js';
import { SearchStore } from './search/searchStore.js';
import { liveWalk } from './walk.js';
import { LISTED_COLUMNS, type FilesTables, type LinkAttemptRow, type LinkRow, type ListedNode, type LockRow, type NodeRow, type PropRow, type RenditionRow, type ShareRow, type SpaceRow, type VersionRow, type WopiLockRow } from './tables.js';

type Q = Kysely<FilesTables & PlatformTables>;

/** A node as stored: its columns, and its name folded for search (platform/db/fold.ts). */
type StoredNode = NodeRow & { name_folded: string };

/**
 * The name is folded here, in JavaScript, once per write: search compared tessera_fold(name) row by
 * row, a JavaScript function SQLite called for every item a person can see (175 of 225 ms over
 * 420,000 items). A row read and written back never keeps a stale fold: it is always made anew.
 */
function stored(row: NodeRow): StoredNode {
  return { ...row, name_folded: fold(row.name) };
}

/** Every column by name (not a spread), so a prepared insert binds each one; the type makes the list complete. */
function nodeValues(p: StoredNode): StoredNode {
  return {
    name_folded: p.name_folded,
    id: p.id,
    space_id: p.space_id,
    parent_id: p.parent_id,
    name: p.name,
    kind: p.kind,
    size: p.size,
    content_type: p.content_type,
    blob_key: p.blob_key,
    sha256: p.sha256,
    etag: p.etag,
    created_at: p.created_at,
    modified_at: p.modified_at,
    created_by: p.created_by,
    modified_by: p.modified_by,
    trash_id: p.trash_id,
    trashed_at: p.trashed_at,
    trashed_by: p.trashed_by,
    trash_parent_id: p.trash_parent_id,
    trash_path: p.trash_path,
  };
}

// The statements every WebDAV request or upload runs, compiled once (platform/db/prepared.ts).
const spaceByOwnerQuery = prepared((q: Q, p: { kind: SpaceRow['kind']; ownerId: string }) =>
  q.selectFrom('files_spaces').selectAll().where('kind', '=', p.kind).where('owner_id', '=', p.ownerId),
);
const nodeQuery = prepared((q: Q, p: { id: string }) => q.selectFrom('files_nodes').selectAll().where('id', '=', p.id));
// LIMIT as a literal: bound as a parameter it made SQLite take 3.7 µs instead of 1.2 for this probe.
const anyActiveLockQuery = prepared((q: Q, p: { spaceId: string; at: string }) =>
  q.selectFrom('files_locks').select('token').where('space_id', '=', p.spaceId).where('expires_at', '>', p.at).limit(sql.lit(1)),
);
const usedBytesQuery = prepared((q: Q, p: { spaceId: string }) => q.selectFrom('files_space_usage').select('used_bytes').where('space_id', '=', p.spaceId));
const liveChildQuery = prepared((q: Q, p: { parentId: string; name: string }) =>
  q.selectFrom('files_nodes').selectAll().where('parent_id', '=', p.parentId).where('name', '=', p.name).where('trash_id', 'is', null),
);
const insertNodeQuery = prepared((q: Q, p: StoredNode) => q.insertInto('files_nodes').values(nodeValues(p)));
const touchNodeQuery = prepared((q: Q, p: { id: string; etag: string; modifiedAt: string; modifiedBy: string }) =>
  q.updateTable('files_nodes').set({ etag: p.etag, modified_at: p.modifiedAt, modified_by: p.modifiedBy }).where('id', '=', p.id),
);
const insertInlineContentQuery = prepared((q: Q, p: { key: string; content: Buffer }) => q.insertInto('files_inline_content').values({ blob_key: p.key, content: p.content }));

export type SortKey = 'name' | 'size' | 'modifiedAt' | 'kind';

// SQLite allows ~32k bound parameters; chunks keep "where id in (...)" far below that.
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Every SQL statement of the files module. */
export class FilesStore {
  constructor(private readonly database: Database) {}

  private q(tx?: Tx): Q {
    return withTables<FilesTables>(tx ?? this.database.db);
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.transaction(fn);
  }

  // --- spaces ---

  async spaceByOwner(kind: SpaceRow['kind'], ownerId: string, tx?: Tx): Promise<SpaceRow | undefined> {
    return spaceByOwnerQuery.first(this.q(tx), { kind, ownerId });
  }

  async spacesById(ids: string[]): Promise<Map<string, SpaceRow>> {
    const out = new Map<string, SpaceRow>();
    for (const part of chunks([...new Set(ids)])) for (const row of await this.q().selectFrom('files_spaces').selectAll().where('id', 'in', part).execute()) out.set(row.id, row);
    return out;
  }

  async space(id: string, tx?: Tx): Promise<SpaceRow | undefined> {
    return this.q(tx).selectFrom('files_spaces').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Creates the space unless a concurrent request did; the caller reads it back either way. */
  async insertSpaceIfAbsent(space: SpaceRow, root: NodeRow): Promise<void> {
    await this.transaction(async (tx) => {
      const inserted = await this.q(tx)
        .insertInto('files_spaces')
        .values(space)
        .onConflict((oc) => oc.columns(['kind', 'owner_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) await this.q(tx).insertInto('files_nodes').values(nodeValues(stored(root))).execute();
    });
  }

  async setSpaceQuota(spaceId: string, quotaBytes: number | null, tx: Tx): Promise<void> {
    await this.q(tx).updateTable('files_spaces').set({ quota_bytes: quotaBytes }).where('id', '=', spaceId).execute();
  }

  async personalSpaces(): Promise<SpaceRow[]> {
    return this.q().selectFrom('files_spaces').selectAll().where('kind', '=', 'personal').execute();
  }

  /** Removes a space and everything in it; returns the blob keys its files and versions named. */
  async deleteSpace(spaceId: string, tx: Tx): Promise<string[]> {
    const ids = (await this.q(tx).selectFrom('files_nodes').select('id').where('space_id', '=', spaceId).execute()).map((r) => r.id);
    const keys = await this.deleteNodes(ids, tx);
    await this.q(tx).deleteFrom('files_locks').where('space_id', '=', spaceId).execute();
    await this.q(tx).deleteFrom('files_spaces').where('id', '=', spaceId).execute();
    return keys;
  }

  /** The rows of these nodes (live or trashed) that still exist, by id. */
  async nodesById(ids: string[], tx?: Tx): Promise<Map<string, NodeRow>> {
    const out = new Map<string, NodeRow>();
    for (const part of chunks(ids)) for (const row of await this.q(tx).selectFrom('files_nodes').selectAll().where('id', 'in', part).execute()) out.set(row.id, row);
    return out;
  }

  /**
   * Serialises writers of one space on PostgreSQL (quota checks, name checks); SQLite already
   * runs one write transaction at a time.
   */
  async lockSpace(spaceId: string, tx: Tx): Promise<void> {
    if (this.database.dialect !== 'postgres') return;
    await this.q(tx).selectFrom('files_spaces').select('id').where('id', '=', spaceId).forUpdate().execute();
  }

  /** Bytes of the space's live files (trash and versions do not count). */
  async usedBytes(spaceId: string, tx?: Tx): Promise<number> {
    const row = await usedBytesQuery.first(this.q(tx), { spaceId });
    if (row) return Number(row.used_bytes);
    // Every space gets its row from a trigger; summing is only the safe answer should one be missing.
    const sum = await this.q(tx)
      .selectFrom('files_nodes')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), sql<number>`0`).as('used'))
      .where('space_id', '=', spaceId)
      .where('trash_id', 'is', null)
      .where('kind', '=', 'file')
      .executeTakeFirst();
    return Number(sum?.used ?? 0);
  }

  // --- nodes ---

  async node(id: string, tx?: Tx): Promise<NodeRow | undefined> {
    return nodeQuery.first(this.q(tx), { id });
  }

  async liveChild(parentId: string, name: string, tx?: Tx): Promise<NodeRow | undefined> {
    return liveChildQuery.first(this.q(tx), { parentId, name });
  }

  async children(parentId: string, page: { limit: number; offset: number; sort: SortKey; order: 'asc' | 'desc' }): Promise<NodeRow[]> {
    const column = { name: 'name', size: 'size', modifiedAt: 'modified_at', kind: 'kind' } as const;
    return this.q()
      .selectFrom('files_nodes')
      .selectAll()
      .where('parent_id', '=', parentId)
      .where('trash_id', 'is', null)
      // Folders first, as every file manager shows them.
      .orderBy(sql`case when kind = 'folder' then 0 else 1 end`)
      .orderBy(column[page.sort], page.order)
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  async allLiveChildren(parentId: string, tx?: Tx): Promise<NodeRow[]> {
    return this.q(tx).selectFrom('files_nodes').selectAll().where('parent_id', '=', parentId).where('trash_id', 'is', null).orderBy('name').execute();
  }

  /** Up to `limit` live children by name, after `after` (keyset: a walk of the live-name index). */
  async liveChildrenAfter(parentId: string, after: string | null, limit: number): Promise<ListedNode[]> {
    let query = this.q().selectFrom('files_nodes').select(LISTED_COLUMNS).where('parent_id', '=', parentId).where('trash_id', 'is', null);
    if (after !== null) query = query.where('name', '>', after);
    return query.orderBy('name').limit(limit).execute();
  }

  async countLiveChildren(parentId: string): Promise<number> {
    const row = await this.q()
      .selectFrom('files_nodes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('parent_id', '=', parentId)
      .where('trash_id', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The node and every live node below it, parents before children (walk.ts). */
  async liveSubtree(rootId: string, tx?: Tx): Promise<NodeRow[]> {
    const result = await sql<NodeRow>`
      with recursive ${liveWalk('sub', sql`select * from files_nodes where id = ${rootId}`, false)}
      select * from sub`.execute(tx ?? this.database.db);
    const rows = result.rows.map((r) => ({ ...r, size: Number(r.size) }));
    return orderParentsFirst(rows, rootId);
  }

  /** Moves a node and everything below it (trashed items, shares, links and editor locks included) to another space. */
  async moveSubtreeToSpace(rootId: string, spaceId: string, tx: Tx): Promise<void> {
    const result = await sql<{ id: string }>`
      with recursive sub(id) as (
        select id from files_nodes where id = ${rootId}
        union all
        select n.id from files_nodes n join sub on n.parent_id = sub.id
      )
      select id from sub`.execute(tx);
    for (const part of chunks(result.rows.map((r) => r.id))) {
      await this.q(tx).updateTable('files_nodes').set({ space_id: spaceId }).where('id', 'in', part).execute();
      await this.q(tx).updateTable('files_shares').set({ space_id: spaceId }).where('node_id', 'in', part).execute();
      await this.q(tx).updateTable('files_links').set({ space_id: spaceId }).where('node_id', 'in', part).execute();
      await this.q(tx).updateTable('files_wopi_locks').set({ space_id: spaceId }).where('node_id', 'in', part).execute();
    }
  }

  async insertNodes(rows: NodeRow[], tx: Tx): Promise<void> {
    try {
      if (rows.length === 1) await insertNodeQuery.execute(this.q(tx), stored(rows[0]!));
      else for (const part of chunks(rows)) await this.q(tx).insertInto('files_nodes').values(part.map((r) => nodeValues(stored(r)))).execute();
    } catch (e) {
      throw nameClash(e);
    }
  }

  /** A folder's or file's new entity tag and modification stamp (something inside it changed). */
  async touchNode(id: string, etag: string, modifiedAt: string, modifiedBy: string, tx: Tx): Promise<void> {
    await touchNodeQuery.execute(this.q(tx), { id, etag, modifiedAt, modifiedBy });
  }

  async updateNode(id: string, changes: Partial<Omit<NodeRow, 'id' | 'space_id'>>, tx: Tx): Promise<void> {
    try {
      const set = changes.name === undefined ? changes : { ...changes, name_folded: fold(changes.name) };
      await this.q(tx).updateTable('files_nodes').set(set).where('id', '=', id).execute();
    } catch (e) {
      throw nameClash(e);
    }
  }

  async markTrashed(ids: string[], trashId: string, at: string, by: string | null, tx: Tx): Promise<void> {
    for (const part of chunks(ids)) {
      await this.q(tx).updateTable('files_nodes').set({ trash_id: trashId, trashed_at: at, trashed_by: by }).where('id', 'in', part).execute();
    }
  }

  async unmarkTrashed(trashId: string, tx: Tx): Promise<void> {
    await this.q(tx).updateTable('files_nodes').set({ trash_id: null, trashed_at: null, trashed_by: null, trash_parent_id: null, trash_path: null }).where('trash_id', '=', trashId).execute();
  }

  async trashItems(spaceId: string): Promise<NodeRow[]> {
    return this.q()
      .selectFrom('files_nodes')
      .selectAll()
      .where('space_id', '=', spaceId)
      .whereRef('trash_id', '=', 'id')
      .orderBy('trashed_at', 'desc')
      .execute();
  }

  async trashItemsBefore(at: string, limit: number): Promise<NodeRow[]> {
    return this.q().selectFrom('files_nodes').selectAll().whereRef('trash_id', '=', 'id').where('trashed_at', '<', at).orderBy('trashed_at').limit(limit).execute();
  }

  async nodesOfTrashItem(trashId: string, tx?: Tx): Promise<NodeRow[]> {
    return this.q(tx).selectFrom('files_nodes').selectAll().where('trash_id', '=', trashId).execute();
  }

  /** Removes nodes with their versions and properties; returns the blob keys they referenced. */
  async deleteNodes(ids: string[], tx: Tx): Promise<string[]> {
    const keys: string[] = [];
    for (const part of chunks(ids)) {
      const nodes = await this.q(tx).selectFrom('files_nodes').select('blob_key').where('id', 'in', part).execute();
      const versions = await this.q(tx).selectFrom('files_versions').select('blob_key').where('node_id', 'in', part).execute();
      for (const r of [...nodes, ...versions]) if (r.blob_key) keys.push(r.blob_key);
      await this.q(tx).deleteFrom('files_versions').where('node_id', 'in', part).execute();
      await this.q(tx).deleteFrom('files_props').where('node_id', 'in', part).execute();
      // Shares and links end with their item.
      await this.q(tx).deleteFrom('files_shares').where('node_id', 'in', part).execute();
      await this.q(tx).deleteFrom('files_links').where('node_id', 'in', part).execute();
      await this.q(tx).deleteFrom('files_favorites').where('node_id', 'in', part).execute();
      await this.q(tx).deleteFrom('files_opened').where('node_id', 'in', part).execute();
      await this.q(tx).deleteFrom('files_wopi_locks').where('node_id', 'in', part).execute();
      // Their extracted text goes with them.
      await new SearchStore(this.database).remove(part, tx);
    }
    // Children before parents is not needed (no foreign key on parent_id), one statement per chunk.
    for (const part of chunks(ids)) await this.q(tx).deleteFrom('files_nodes').where('id', 'in', part).execute();
    return keys;
  }

  async isBlobReferenced(key: string): Promise<boolean> {
    const n = await this.q().selectFrom('files_nodes').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst();
    if (n) return true;
    const v = await this.q().selectFrom('files_versions').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst();
    return v !== undefined;
  }

  // --- small files' content (content.ts) ---

  async insertInlineContent(key: string, content: Buffer, tx: Tx): Promise<void> {
    await insertInlineContentQuery.execute(this.q(tx), { key, content });
  }

  async inlineContent(key: string): Promise<Buffer | undefined> {
    const row = await this.q().selectFrom('files_inline_content').select('content').where('blob_key', '=', key).executeTakeFirst();
    return row ? Buffer.from(row.content) : undefined;
  }

  async deleteInlineContent(key: string): Promise<void> {
    await this.q().deleteFrom('files_inline_content').where('blob_key', '=', key).execute();
  }

  // --- uploads in flight ---

  /**
   * The marker only lets the sweeper find a blob whose upload never committed; losing it in a power
   * failure would at worst leave one unreferenced blob, so it does not wait for the disk.
   */
  async addPendingBlob(key: string, at: string): Promise<void> {
    await this.database.bookkeeping((db) => withTables<FilesTables>(db).insertInto('files_pending_blobs').values({ blob_key: key, created_at: at }).execute());
  }

  async removePendingBlob(key: string, tx?: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_pending_blobs').where('blob_key', '=', key).execute();
  }

  async pendingBlobsBefore(at: string, limit: number): Promise<string[]> {
    const rows = await this.q().selectFrom('files_pending_blobs').select('blob_key').where('created_at', '<', at).orderBy('created_at').limit(limit).execute();
    return rows.map((r) => r.blob_key);
  }

  // --- versions ---

  async versions(nodeId: string, tx?: Tx): Promise<VersionRow[]> {
    const rows = await this.q(tx).selectFrom('files_versions').selectAll().where('node_id', '=', nodeId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map((r) => ({ ...r, size: Number(r.size) }));
  }

  async insertVersion(row: VersionRow, tx: Tx): Promise<void> {
    await this.q(tx).insertInto('files_versions').values(row).execute();
  }

  async deleteVersions(ids: string[], tx: Tx): Promise<void> {
    for (const part of chunks(ids)) await this.q(tx).deleteFrom('files_versions').where('id', 'in', part).execute();
  }

  // --- dead properties (WebDAV PROPPATCH) ---

  async props(nodeId: string, tx?: Tx): Promise<PropRow[]> {
    return this.q(tx).selectFrom('files_props').selectAll().where('node_id', '=', nodeId).orderBy('ns').orderBy('name').execute();
  }

  async setProp(row: PropRow, tx: Tx): Promise<void> {
    await this.q(tx)
      .insertInto('files_props')
      .values(row)
      .onConflict((oc) => oc.columns(['node_id', 'ns', 'name']).doUpdateSet({ value: row.value }))
      .execute();
  }

  async removeProp(nodeId: string, ns: string, name: string, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_props').where('node_id', '=', nodeId).where('ns', '=', ns).where('name', '=', name).execute();
  }

  async insertProps(rows: PropRow[], tx: Tx): Promise<void> {
    for (const part of chunks(rows)) await this.q(tx).insertInto('files_props').values(part).execute();
  }

  async propsOf(nodeIds: string[], tx?: Tx): Promise<PropRow[]> {
    const out: PropRow[] = [];
    for (const part of chunks(nodeIds)) out.push(...(await this.q(tx).selectFrom('files_props').selectAll().where('node_id', 'in', part).execute()));
    return out;
  }

  /** The node and its ancestors up to the space root (nearest first). */
  async ancestry(nodeId: string, tx?: Tx): Promise<NodeRow[]> {
    const out: NodeRow[] = [];
    let current = await this.node(nodeId, tx);
    while (current) {
      out.push(current);
      current = current.parent_id ? await this.node(current.parent_id, tx) : undefined;
    }
    return out;
  }

  // --- shares ---

  async sharesOn(nodeIds: string[], tx?: Tx): Promise<ShareRow[]> {
    const out: ShareRow[] = [];
    for (const part of chunks(nodeIds)) out.push(...(await this.q(tx).selectFrom('files_shares').selectAll().where('node_id', 'in', part).orderBy('created_at').orderBy('id').execute()));
    return out;
  }

  async share(id: string, tx?: Tx): Promise<ShareRow | undefined> {
    return this.q(tx).selectFrom('files_shares').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async shareTo(nodeId: string, granteeType: ShareRow['grantee_type'], granteeId: string, tx?: Tx): Promise<ShareRow | undefined> {
    return this.q(tx).selectFrom('files_shares').selectAll().where('node_id', '=', nodeId).where('grantee_type', '=', granteeType).where('grantee_id', '=', granteeId).executeTakeFirst();
  }

  async insertShare(row: ShareRow, tx: Tx): Promise<void> {
    try {
      await this.q(tx).insertInto('files_shares').values(row).execute();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') throw new ConflictError('This item is shared with them already; change that share instead.', 'share_exists');
      throw e;
    }
  }

  async updateShare(id: string, changes: Pick<ShareRow, 'role' | 'updated_at'>, tx: Tx): Promise<void> {
    await this.q(tx).updateTable('files_shares').set(changes).where('id', '=', id).execute();
  }

  async deleteShare(id: string, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_shares').where('id', '=', id).execute();
  }

  /** Shares to this person or to any of these groups, on live items. */
  async sharesTo(userId: string, groupIds: string[]): Promise<ShareRow[]> {
    return this.q()
      .selectFrom('files_shares as s')
      .innerJoin('files_nodes as n', 'n.id', 's.node_id')
      .selectAll('s')
      .where('n.trash_id', 'is', null)
      .where((eb) => {
        const toUser = eb.and([eb('s.grantee_type', '=', 'user'), eb('s.grantee_id', '=', userId)]);
        if (groupIds.length === 0) return toUser;
        return eb.or([toUser, eb.and([eb('s.grantee_type', '=', 'group'), eb('s.grantee_id', 'in', groupIds)])]);
      })
      .orderBy('s.created_at', 'desc')
      .execute();
  }

  // --- public links ---

  async linksOn(nodeIds: string[], tx?: Tx): Promise<LinkRow[]> {
    const out: LinkRow[] = [];
    for (const part of chunks(nodeIds)) out.push(...(await this.q(tx).selectFrom('files_links').selectAll().where('node_id', 'in', part).orderBy('created_at').orderBy('id').execute()));
    return out;
  }

  async link(id: string, tx?: Tx): Promise<LinkRow | undefined> {
    return this.q(tx).selectFrom('files_links').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async linkByTokenHash(hash: string): Promise<LinkRow | undefined> {
    return this.q().selectFrom('files_links').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  async insertLink(row: LinkRow, tx: Tx): Promise<void> {
    await this.q(tx).insertInto('files_links').values(row).execute();
  }

  async revokeLink(id: string, at: string, tx: Tx): Promise<void> {
    await this.q(tx).updateTable('files_links').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async linkAttempt(key: string, tx?: Tx): Promise<LinkAttemptRow | undefined> {
    return this.q(tx).selectFrom('files_link_attempts').selectAll().where('key', '=', key).executeTakeFirst();
  }

  async saveLinkAttempt(row: LinkAttemptRow, tx: Tx): Promise<void> {
    await this.q(tx)
      .insertInto('files_link_attempts')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ failures: row.failures, window_start: row.window_start, locked_until: row.locked_until }))
      .execute();
  }

  async deleteLinkAttempt(key: string): Promise<void> {
    await this.q().deleteFrom('files_link_attempts').where('key', '=', key).execute();
  }

  // --- WebDAV locks ---

  /** Whether the space holds any active lock (a prepared probe, ~2 µs). */
  async anyActiveLock(spaceId: string, at: string, tx?: Tx): Promise<boolean> {
    return (await anyActiveLockQuery.first(this.q(tx), { spaceId, at })) !== undefined;
  }

  /** Active locks of the space rooted at one of `paths` (exactly). */
  async locksAt(spaceId: string, paths: string[], at: string, tx?: Tx): Promise<LockRow[]> {
    const out: LockRow[] = [];
    for (const part of chunks([...new Set(paths)])) {
      out.push(...(await this.q(tx).selectFrom('files_locks').selectAll().where('space_id', '=', spaceId).where('path', 'in', part).where('expires_at', '>', at).execute()));
    }
    return out;
  }

  /** Active locks of the space rooted strictly below `path`. */
  async locksUnder(spaceId: string, path: string, at: string, tx?: Tx): Promise<LockRow[]> {
    let query = this.q(tx).selectFrom('files_locks').selectAll().where('space_id', '=', spaceId).where('expires_at', '>', at);
    if (path !== '/') query = query.where(sql<boolean>`path like ${escapeLike(path + '/') + '%'} escape '\\'`);
    // SQLite's LIKE ignores ASCII case, so it may bring a few too many: the exact test is here.
    return (await query.execute()).filter((l) => l.path !== path && (path === '/' || l.path.startsWith(path + '/')));
  }

  async insertLock(row: LockRow, tx: Tx): Promise<void> {
    await this.q(tx).insertInto('files_locks').values(row).execute();
  }

  async refreshLock(token: string, timeoutSeconds: number, expiresAt: string, tx?: Tx): Promise<void> {
    await this.q(tx).updateTable('files_locks').set({ timeout_seconds: timeoutSeconds, expires_at: expiresAt }).where('token', '=', token).execute();
  }

  async deleteLock(token: string, tx?: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_locks').where('token', '=', token).execute();
  }

  async deleteExpiredLocks(spaceId: string, at: string, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_locks').where('space_id', '=', spaceId).where('expires_at', '<=', at).execute();
  }

  // --- cached previews and thumbnails (preview/) ---

  async rendition(sourceKey: string, variant: string): Promise<RenditionRow | undefined> {
    const row = await this.q().selectFrom('files_renditions').selectAll().where('source_key', '=', sourceKey).where('variant', '=', variant).executeTakeFirst();
    return row ? { ...row, size: Number(row.size) } : undefined;
  }

  /** False when another process stored the same rendition first (the caller then uses theirs). */
  async insertRendition(row: RenditionRow, tx: Tx): Promise<boolean> {
    const r = await this.q(tx)
      .insertInto('files_renditions')
      .values(row)
      .onConflict((oc) => oc.columns(['source_key', 'variant']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Deletes every rendition of these sources; returns their blob keys. */
  async deleteRenditionsOf(sourceKeys: string[], tx: Tx): Promise<string[]> {
    const keys: string[] = [];
    for (const part of chunks(sourceKeys)) {
      const rows = await this.q(tx).selectFrom('files_renditions').select('blob_key').where('source_key', 'in', part).execute();
      for (const r of rows) if (r.blob_key) keys.push(r.blob_key);
      await this.q(tx).deleteFrom('files_renditions').where('source_key', 'in', part).execute();
    }
    return keys;
  }

  /** True while some file (live or in the trash) has this blob as its current content. */
  async isCurrentContent(key: string, tx?: Tx): Promise<boolean> {
    const n = await this.q(tx).selectFrom('files_nodes').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst();
    return n !== undefined;
  }

  /** Sources with renditions that no file shows any more (changed or purged content). */
  async staleRenditionSources(limit: number): Promise<string[]> {
    const rows = await this.q()
      .selectFrom('files_renditions as r')
      .select('r.source_key')
      .distinct()
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('files_nodes as n').select('n.id').whereRef('n.blob_key', '=', 'r.source_key'))))
      .limit(limit)
      .execute();
    return rows.map((r) => r.source_key);
  }

  // --- WOPI locks ---

  /** The file's WOPI lock, expired or not (callers compare expires_at). */
  async wopiLock(nodeId: string, tx?: Tx): Promise<WopiLockRow | undefined> {
    return this.q(tx).selectFrom('files_wopi_locks').selectAll().where('node_id', '=', nodeId).executeTakeFirst();
  }

  async activeWopiLocks(spaceId: string, at: string, tx?: Tx): Promise<WopiLockRow[]> {
    return this.q(tx).selectFrom('files_wopi_locks').selectAll().where('space_id', '=', spaceId).where('expires_at', '>', at).execute();
  }

  /** Inserts or replaces the file's lock (an expired one is simply overwritten). */
  async putWopiLock(row: WopiLockRow, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_wopi_locks').where('node_id', '=', row.node_id).execute();
    await this.q(tx).insertInto('files_wopi_locks').values(row).execute();
  }

  async deleteWopiLock(nodeId: string, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_wopi_locks').where('node_id', '=', nodeId).execute();
  }
}

/**
 * The live-name index is the last word when two writers race for one name: its violation is the
 * same 409 the service gives when it sees the clash first.
 */
function nameClash(e: unknown): unknown {
  const code = (e as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') return new ConflictError('An item with this name was just created in this folder. Reload and try again.', 'name_taken');
  return e;
}

function orderParentsFirst(rows: NodeRow[], rootId: string): NodeRow[] {
  const byParent = new Map<string, NodeRow[]>();
  let root: NodeRow | undefined;
  for (const r of rows) {
    if (r.id === rootId) root = r;
    else {
      const list = byParent.get(r.parent_id ?? '') ?? [];
      list.push(r);
      byParent.set(r.parent_id ?? '', list);
    }
  }
  if (!root) return [];
  const out: NodeRow[] = [];
  const queue = [root];
  while (queue.length) {
    const n = queue.shift()!;
    out.push(n);
    queue.push(...(byParent.get(n.id) ?? []));
  }
  return out;
}
