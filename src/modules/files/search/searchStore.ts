import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { withTables, type Database, type Tx } from '../../../platform/db/database.js';
import { prepared } from '../../../platform/db/prepared.js';
import { escapeLike } from '../../../platform/db/like.js';
import type { PlatformTables } from '../../../platform/db/platformTables.js';
import type { FilesTables, NodeRow } from '../tables.js';
import { unfoldedSpellings } from '../../../platform/db/fold.js';
import { liveWalk } from '../walk.js';

type Q = Kysely<FilesTables & PlatformTables>;

// Run for every indexed upload (platform/db/prepared.ts).
const docIdQuery = prepared((q: Q, p: { nodeId: string }) => q.selectFrom('files_search_docs').select('doc_id').where('node_id', '=', p.nodeId));
const insertDocQuery = prepared((q: Q, p: { nodeId: string; etag: string; status: string; at: string }) =>
  q
    .insertInto('files_search_docs')
    .values({ node_id: p.nodeId, etag: p.etag, status: p.status, indexed_at: p.at } as never)
    .returning('doc_id'),
);

export interface SearchTerms {
  /** Word tokens (letters and digits), lower-cased; content matches need every one as a word prefix. */
  words: string[];
  /** What names must contain: each word, or the whole text when it has no word. */
  nameNeedles: string[];
}

export interface SearchHit {
  node: NodeRow;
  nameHit: boolean;
  contentHit: boolean;
}

/** Who is searching: their id and every group they are in (nested ones included). */
export interface Searcher {
  userId: string;
  groupIds: string[];
}

/**
 * SQL of the content index. SQLite: rows in files_search_docs, text in the FTS5 table
 * files_search_fts (rowid = doc_id). PostgreSQL: text and its 'simple' tsvector in
 * files_search_docs, under a GIN index.
 */
export class SearchStore {
  constructor(private readonly database: Database) {}

  private q(tx?: Tx): Q {
    return withTables<FilesTables>(tx ?? this.database.db);
  }

  private get sqlite(): boolean {
    return this.database.dialect === 'sqlite';
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.transaction(fn);
  }

  /** The entity tag each of these files had when it was last indexed (absent: never indexed). */
  async indexedEtags(nodeIds: string[]): Promise<Map<string, string>> {
    if (nodeIds.length === 0) return new Map();
    const rows = await this.q().selectFrom('files_search_docs').select(['node_id', 'etag']).where('node_id', 'in', nodeIds).execute();
    return new Map(rows.map((r) => [r.node_id, r.etag]));
  }

  /** Replaces the node's indexed text (one row per node). `fresh`: the node was made by this transaction, so it has no row yet. */
  async upsert(doc: { nodeId: string; etag: string; status: string; body: string; at: string; fresh?: boolean }, tx: Tx): Promise<void> {
    if (!this.sqlite) {
      await sql`insert into files_search_docs (node_id, etag, status, indexed_at, body) values (${doc.nodeId}, ${doc.etag}, ${doc.status}, ${doc.at}, ${doc.body})
        on conflict (node_id) do update set etag = excluded.etag, status = excluded.status, indexed_at = excluded.indexed_at, body = excluded.body`.execute(tx);
      return;
    }
    const existing = doc.fresh ? undefined : await docIdQuery.first(this.q(tx), { nodeId: doc.nodeId });
    let docId: number;
    if (existing) {
      docId = existing.doc_id;
      await sql`delete from files_search_fts where rowid = ${docId}`.execute(tx);
      await this.q(tx).updateTable('files_search_docs').set({ etag: doc.etag, status: doc.status, indexed_at: doc.at }).where('doc_id', '=', docId).execute();
    } else {
      const row = await insertDocQuery.first(this.q(tx), { nodeId: doc.nodeId, etag: doc.etag, status: doc.status, at: doc.at });
      if (!row) throw new Error('files_search_docs: the insert returned no doc_id');
      docId = row.doc_id;
    }
    if (doc.body) await sql`insert into files_search_fts (rowid, body) values (${docId}, ${doc.body})`.execute(tx);
  }

  /**
   * Live files with no index row yet (uploaded before search existed, or whose job was lost).
   * On SQLite the table is read in slices of `slice` rows (by rowid, in storage order), with a turn
   * of the event loop between slices: the one query over every item held the only thread for
   * ~380 ms at 400,000 items, the slices ~6 ms each. PostgreSQL runs the query on its own side.
   */
  async unindexedFiles(limit: number, slice = 5000): Promise<string[]> {
    const unindexed = (qb: Q) =>
      qb
        .selectFrom('files_nodes as n')
        .leftJoin('files_search_docs as d', 'd.node_id', 'n.id')
        .select('n.id')
        .where('n.kind', '=', 'file')
        .where('n.trash_id', 'is', null)
        .where('d.node_id', 'is', null);
    if (!this.sqlite) return (await unindexed(this.q()).orderBy('n.modified_at', 'desc').limit(limit).execute()).map((r) => r.id);
    const last = (await sql<{ m: number | null }>`select max(rowid) as m from files_nodes`.execute(this.database.db)).rows[0]?.m ?? 0;
    const found: string[] = [];
    for (let from = 0; from < last && found.length < limit; from += slice) {
      if (from > 0) await nextTurn();
      const rows = await unindexed(this.q())
        .where(sql.ref('n.rowid'), '>', from)
        .where(sql.ref('n.rowid'), '<=', from + slice)
        .limit(limit - found.length)
        .execute();
      found.push(...rows.map((r) => r.id));
    }
    return found;
  }

  /** Marks files for (re-)indexing, inside the writer's transaction. */
  async enqueue(nodeIds: string[], at: string, tx: Tx): Promise<void> {
    if (nodeIds.length === 0) return;
    await this.q(tx)
      .insertInto('files_index_queue')
      .values(nodeIds.map((node_id) => ({ node_id, queued_at: at })))
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ queued_at: at }))
      .execute();
  }

  async queued(limit: number): Promise<{ node_id: string; queued_at: string }[]> {
    return this.q().selectFrom('files_index_queue').select(['node_id', 'queued_at']).orderBy('queued_at').limit(limit).execute();
  }

  /** Removes what was indexed, unless the file was queued again meanwhile (then a later batch takes it). */
  async dequeue(items: { node_id: string; queued_at: string }[], tx: Tx): Promise<void> {
    if (items.length === 0) return;
    await this.q(tx)
      .deleteFrom('files_index_queue')
      .where((eb) => eb.or(items.map((item) => eb.and([eb('node_id', '=', item.node_id), eb('queued_at', '=', item.queued_at)]))))
      .execute();
  }

  async hasQueued(): Promise<boolean> {
    return (await this.q().selectFrom('files_index_queue').select('node_id').limit(1).executeTakeFirst()) !== undefined;
  }

  /** Forgets the text of deleted nodes (purge, deleted spaces). */
  async remove(nodeIds: string[], tx: Tx): Promise<void> {
    if (nodeIds.length === 0) return;
    if (this.sqlite) {
      await sql`delete from files_search_fts where rowid in (select doc_id from files_search_docs where node_id in (${sql.join(nodeIds)}))`.execute(tx);
    }
    await this.q(tx).deleteFrom('files_search_docs').where('node_id', 'in', nodeIds).execute();
    await this.q(tx).deleteFrom('files_index_queue').where('node_id', 'in', nodeIds).execute();
  }

  /**
   * Live items the searcher may see — their personal space, their groups' spaces, and whatever is
   * shared with them or their groups, with everything below a shared folder — whose name or
   * indexed text matches. Name matches first, then by relevance, then the newest.
   *
   * Four disjoint parts, joined with UNION ALL: by name or only by content, each in the person's
   * spaces or below a share in someone else's. The shared part is walked down from the shares
   * and carries whole rows, so it is never joined back to every item; the person's own spaces are
   * read through the space index or, on PostgreSQL, the name's trigram index, whichever the
   * planner finds cheaper. (A single filter, "in my spaces OR below a share", let PostgreSQL test
   * each item against the whole shared tree when it misjudged that tree's size.)
   */
  async search(who: Searcher, terms: SearchTerms, page: { limit: number; offset: number }): Promise<SearchHit[]> {
    const groups = who.groupIds.length ? who.groupIds : [''];
    // name_folded is folded when written (store.ts). On SQLite the function covers a row it might
    // miss; on PostgreSQL the column is NOT NULL and its trigram index holds the bare column.
    const folded = this.sqlite ? sql`coalesce(n.name_folded, tessera_fold(n.name))` : sql`n.name_folded`;
    const nameMatch = sql.join(
      terms.nameNeedles.map((n) => sql`${folded} like ${'%' + escapeLike(n) + '%'} escape '\\'`),
      sql` and `,
    );
    const hits = terms.words.length ? this.contentHits(terms.words) : sql`select '' as node_id, 0 as rank where 1 = 0`;
    const mine = sql`n.space_id in (select id from spaces)`;
    const theirs = sql`n.space_id not in (select id from spaces)`;
    const sharedRoots = sql`
      select sn.* from files_shares s join files_nodes sn on sn.id = s.node_id
      where sn.trash_id is null
        and ((s.grantee_type = 'user' and s.grantee_id = ${who.userId}) or (s.grantee_type = 'group' and s.grantee_id in (${sql.join(groups)})))`;
    const result = await sql<NodeRow & { name_hit: number; content_rank: number | null }>`
      with recursive ${liveWalk('shared', sharedRoots, true)},
      spaces(id) as (
        select id from files_spaces where (kind = 'personal' and owner_id = ${who.userId}) or (kind = 'group' and owner_id in (${sql.join(groups)}))
      ),
      hits(node_id, rank) as (${hits}),
      found as (
        select n.*, 1 as name_hit, h.rank as content_rank
        from files_nodes n left join hits h on h.node_id = n.id
        where n.trash_id is null and ${mine} and ${nameMatch}
        union all
        select n.*, 1 as name_hit, h.rank as content_rank
        from shared n left join hits h on h.node_id = n.id
        where ${theirs} and ${nameMatch}
        union all
        select n.*, 0 as name_hit, h.rank as content_rank
        from hits h join files_nodes n on n.id = h.node_id
        where n.trash_id is null and ${mine} and not (${nameMatch})
        union all
        select n.*, 0 as name_hit, h.rank as content_rank
        from hits h join shared n on n.id = h.node_id
        where ${theirs} and not (${nameMatch})
      )
      select * from found
      where parent_id is not null
      order by name_hit desc, coalesce(content_rank, 0), modified_at desc, id
      limit ${page.limit} offset ${page.offset}`.execute(this.database.db);
    return result.rows.map((r) => {
      const { name_hit, content_rank, ...node } = r;
      return { node: { ...node, size: Number(node.size) }, nameHit: Number(name_hit) === 1, contentHit: content_rank !== null };
    });
  }

  /** Node ids whose text matches every word (as a word prefix), with a rank where lower is better. */
  private contentHits(words: string[]): RawBuilder<unknown> {
    if (this.sqlite) {
      return sql`select d.node_id, bm25(files_search_fts) as rank from files_search_fts join files_search_docs d on d.doc_id = files_search_fts.rowid where files_search_fts match ${ftsQuery(words)}`;
    }
    return sql`select node_id, -ts_rank(tsv, to_tsquery('simple', ${tsQuery(words)})) as rank from files_search_docs where tsv @@ to_tsquery('simple', ${tsQuery(words)})`;
  }

  /** A short passage of each node's text around the words, for the result list. */
  async snippets(nodeIds: string[], words: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (nodeIds.length === 0 || words.length === 0) return out;
    const rows = this.sqlite
      ? await sql<{ node_id: string; snippet: string }>`
          select d.node_id, snippet(files_search_fts, 0, '', '', '…', 24) as snippet
          from files_search_fts join files_search_docs d on d.doc_id = files_search_fts.rowid
          where files_search_fts match ${ftsQuery(words)} and d.node_id in (${sql.join(nodeIds)})`.execute(this.database.db)
      : await sql<{ node_id: string; snippet: string }>`
          select node_id, ts_headline('simple', body, to_tsquery('simple', ${tsQuery(words)}), 'StartSel="", StopSel="", MaxWords=30, MinWords=12, ShortWord=1, FragmentDelimiter=" … ", MaxFragments=1') as snippet
          from files_search_docs where node_id in (${sql.join(nodeIds)})`.execute(this.database.db);
    for (const r of rows.rows) out.set(r.node_id, r.snippet);
    return out;
  }
}

/**
 * FTS5: every word as a quoted prefix term, all ANDed (explicitly: FTS5 takes no implicit AND after
 * a parenthesised group), each in the spellings unfolded text may use ("strasse" or "straße"; FTS5
 * itself folds case and accents). Words hold only letters and digits.
 */
function ftsQuery(words: string[]): string {
  return words
    .map((w) => {
      const spellings = unfoldedSpellings(w).map((s) => `"${s}"*`);
      return spellings.length === 1 ? spellings[0]! : `(${spellings.join(' OR ')})`;
    })
    .join(' AND ');
}

/** tsquery: every word as a prefix, ANDed. */
function tsQuery(words: string[]): string {
  return words.map((w) => `${w}:*`).join(' & ');
}
