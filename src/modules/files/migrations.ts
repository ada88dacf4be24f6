import { sql } from 'kysely';
import { fold, FOLD_EXPANSIONS, FOLD_FROM, FOLD_TO } from '../../platform/db/fold.js';
import type { MigrationSet } from '../../platform/db/migrations.js';

export const filesMigrations: MigrationSet = {
  '2026112303_files_tree': {
    async up(db) {
      await db.schema
        .createTable('files_spaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('root_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('files_spaces_owner', ['kind', 'owner_id'])
        .execute();
      await db.schema
        .createTable('files_nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('space_id', 'text', (c) => c.notNull().references('files_spaces.id'))
        .addColumn('parent_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('content_type', 'text')
        .addColumn('blob_key', 'text')
        .addColumn('sha256', 'text')
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('modified_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('modified_by', 'text')
        .addColumn('trash_id', 'text')
        .addColumn('trashed_at', 'text')
        .addColumn('trashed_by', 'text')
        .addColumn('trash_parent_id', 'text')
        .addColumn('trash_path', 'text')
        .execute();
      // One live name per folder; trashed items keep their names without blocking new ones.
      await db.schema
        .createIndex('files_nodes_live_name')
        .on('files_nodes')
        .columns(['parent_id', 'name'])
        .unique()
        .where(sql.ref('trash_id'), 'is', null)
        .execute();
      await db.schema.createIndex('files_nodes_parent').on('files_nodes').columns(['parent_id', 'trash_id']).execute();
      await db.schema.createIndex('files_nodes_space').on('files_nodes').columns(['space_id', 'trash_id']).execute();
      await db.schema.createIndex('files_nodes_trash').on('files_nodes').column('trash_id').execute();
      await db.schema.createIndex('files_nodes_blob').on('files_nodes').column('blob_key').execute();
      await db.schema
        .createTable('files_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('node_id', 'text', (c) => c.notNull().references('files_nodes.id'))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('content_type', 'text')
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .execute();
      await db.schema.createIndex('files_versions_node').on('files_versions').columns(['node_id', 'created_at']).execute();
      await db.schema.createIndex('files_versions_blob').on('files_versions').column('blob_key').execute();
      await db.schema
        .createTable('files_props')
        .addColumn('node_id', 'text', (c) => c.notNull().references('files_nodes.id'))
        .addColumn('ns', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('files_props_pk', ['node_id', 'ns', 'name'])
        .execute();
      await db.schema
        .createTable('files_locks')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('space_id', 'text', (c) => c.notNull().references('files_spaces.id'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('depth', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_locks_space').on('files_locks').columns(['space_id', 'expires_at']).execute();
    },
  },
  '2026112303_files_pending_blobs': {
    async up(db) {
      await db.schema
        .createTable('files_pending_blobs')
        .addColumn('blob_key', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_pending_blobs_created').on('files_pending_blobs').column('created_at').execute();
    },
  },
  '2026112304_files_sharing': {
    async up(db) {
      await db.schema
        .createTable('files_shares')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('node_id', 'text', (c) => c.notNull().references('files_nodes.id'))
        .addColumn('space_id', 'text', (c) => c.notNull().references('files_spaces.id'))
        .addColumn('grantee_type', 'text', (c) => c.notNull())
        .addColumn('grantee_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('files_shares_grantee', ['node_id', 'grantee_type', 'grantee_id'])
        .execute();
      await db.schema.createIndex('files_shares_to').on('files_shares').columns(['grantee_type', 'grantee_id']).execute();
      await db.schema
        .createTable('files_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('node_id', 'text', (c) => c.notNull().references('files_nodes.id'))
        .addColumn('space_id', 'text', (c) => c.notNull().references('files_spaces.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_links_node').on('files_links').column('node_id').execute();
      // Failed link passwords per link and per link+address, shared by every process.
      await db.schema
        .createTable('files_link_attempts')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();
    },
  },
  '2026112405_files_renditions': {
    async up(db) {
      await db.schema
        .createTable('files_renditions')
        .addColumn('source_key', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('blob_key', 'text')
        .addColumn('content_type', 'text')
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('files_renditions_pk', ['source_key', 'variant'])
        .execute();
    },
  },
  '2026112401_files_uploads': {
    async up(db) {
      // A resumable (tus) upload in progress: who, where to, how long, how far.
      await db.schema
        .createTable('files_uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('space_id', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text')
        .addColumn('create_only', 'integer', (c) => c.notNull())
        .addColumn('length', 'bigint', (c) => c.notNull())
        .addColumn('received', 'bigint', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_uploads_expires').on('files_uploads').column('expires_at').execute();
      // Each PATCH is its own write-once blob; a part counts only once its row is committed.
      await db.schema
        .createTable('files_upload_parts')
        .addColumn('upload_id', 'text', (c) => c.notNull().references('files_uploads.id'))
        .addColumn('start', 'bigint', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('files_upload_parts_pk', ['upload_id', 'start'])
        .execute();
    },
  },
  '2026112402_files_favorites': {
    async up(db) {
      await db.schema
        .createTable('files_favorites')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('files_favorites_pk', ['user_id', 'node_id'])
        .execute();
      await db.schema.createIndex('files_favorites_node').on('files_favorites').column('node_id').execute();
      // Recent files: newest changes per space.
      await db.schema.createIndex('files_nodes_space_modified').on('files_nodes').columns(['space_id', 'modified_at']).execute();
    },
  },
  '2026112401_files_wopi_locks': {
    async up(db) {
      // WOPI locks belong to a file (they follow it through renames), unlike WebDAV's path locks.
      await db.schema
        .createTable('files_wopi_locks')
        .addColumn('node_id', 'text', (c) => c.primaryKey().references('files_nodes.id'))
        .addColumn('space_id', 'text', (c) => c.notNull().references('files_spaces.id'))
        .addColumn('lock_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_wopi_locks_space').on('files_wopi_locks').columns(['space_id', 'expires_at']).execute();
    },
  },
  '2026112320_files_quarantine': {
    async up(db) {
      await db.schema
        .createTable('files_quarantine')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('space_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_quarantine_created').on('files_quarantine').column('created_at').execute();
    },
  },
  // Full-text search: SQLite's FTS5 and PostgreSQL's tsvector + GIN, both with language-neutral
  // tokenising (unicode61 / 'simple'), since one space holds documents in many languages.
  '2026112321_files_search': {
    async up(db, dialect) {
      if (dialect === 'sqlite') {
        await sql`create table files_search_docs (
          doc_id integer primary key autoincrement,
          node_id text not null unique,
          etag text not null,
          status text not null,
          indexed_at text not null
        )`.execute(db);
        // rowid = doc_id; the text lives only here.
        await sql`create virtual table files_search_fts using fts5(body, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
        return;
      }
      await sql`create table files_search_docs (
        doc_id bigserial primary key,
        node_id text not null unique,
        etag text not null,
        status text not null,
        indexed_at text not null,
        body text not null default '',
        tsv tsvector generated always as (to_tsvector('simple', body)) stored
      )`.execute(db);
      await sql`create index files_search_docs_tsv on files_search_docs using gin (tsv)`.execute(db);
    },
  },
  '2026112406_files_space_quota': {
    async up(db) {
      // Group spaces get their own quota (set by administrators); personal spaces follow their owner's.
      await db.schema.alterTable('files_spaces').addColumn('quota_bytes', 'bigint').execute();
    },
  },
  '2026112407_files_index_queue': {
    async up(db) {
      // Files waiting for text extraction; one drain job works through them in batches.
      await db.schema
        .createTable('files_index_queue')
        .addColumn('node_id', 'text', (c) => c.primaryKey())
        .addColumn('queued_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_index_queue_at').on('files_index_queue').column('queued_at').execute();
    },
  },
  // Opening a folder lists its live children folders first, then by name (store.children): this
  // index holds them in exactly that order, so a page deep into a 10,000-entry folder is an index
  // walk instead of sorting the whole folder for every page. The expression must stay identical
  // to the ORDER BY in store.children for SQLite and PostgreSQL to use it.
  '2026112410_files_listing_order': {
    async up(db) {
      await sql`create index files_nodes_listing on files_nodes (parent_id, (case when kind = 'folder' then 0 else 1 end), name, id) where trash_id is null`.execute(db);
    },
  },
  // Search ignores accents and case alike on both stacks (src/platform/db/fold.ts): SQLite registers
  // tessera_fold on its connection and FTS5 already folds; PostgreSQL gets the same function here
  // and its text index is rebuilt from folded text.
  // Recent lists what a person opened as well as what changed (OneDrive's "Recent").
  '2026112414_files_search_fold_pairs': {
    // ß, æ and œ now fold to two letters (platform/db/fold.ts): the function changes, so the stored
    // vectors made with the old one are made again.
    async up(db, dialect) {
      if (dialect !== 'postgres') return;
      let body = `translate(lower($1), '${FOLD_FROM}', '${FOLD_TO}')`;
      for (const [letter, pair] of FOLD_EXPANSIONS) body = `replace(${body}, '${letter}', '${pair}')`;
      await sql`create or replace function tessera_fold(text) returns text language sql immutable strict parallel safe
        as ${sql.lit(`select ${body}`)}`.execute(db);
      await rebuildSearchVectors(db);
    },
  },
  '2026112413_files_inline_content': {
    async up(db, dialect) {
      await db.schema
        .createTable('files_inline_content')
        .addColumn('blob_key', 'text', (c) => c.primaryKey())
        .addColumn('content', dialect === 'postgres' ? sql`bytea` : 'blob', (c) => c.notNull())
        .execute();
    },
  },
  '2026112412_files_opened': {
    async up(db) {
      await db.schema
        .createTable('files_opened')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('files_opened_pk', ['user_id', 'node_id'])
        .execute();
      await db.schema.createIndex('files_opened_user_at').on('files_opened').columns(['user_id', 'opened_at']).execute();
      await db.schema.createIndex('files_opened_node').on('files_opened').column('node_id').execute();
    },
  },
  '2026112411_files_search_fold': {
    async up(db, dialect) {
      if (dialect !== 'postgres') return;
      await sql`create or replace function tessera_fold(text) returns text language sql immutable strict parallel safe
        as ${sql.lit(`select translate(lower($1), '${FOLD_FROM}', '${FOLD_TO}')`)}`.execute(db);
      await rebuildSearchVectors(db);
    },
  },
  // How much a space holds was a SUM over all its live files, read twice by every upload once a
  // quota was set: at 50,000 files each PUT took 18 ms instead of 0.3. Triggers now keep the sum
  // per space in step with every change to files_nodes (upload, overwrite, trash, restore, move,
  // copy, purge), inside the same transaction, whichever code path made it.
  '2026112415_files_space_usage': {
    async up(db, dialect) {
      await db.schema
        .createTable('files_space_usage')
        .addColumn('space_id', 'text', (c) => c.primaryKey())
        .addColumn('used_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`insert into files_space_usage (space_id, used_bytes)
        select s.id, coalesce((select sum(n.size) from files_nodes n where n.space_id = s.id and n.trash_id is null and n.kind = 'file'), 0)
        from files_spaces s`.execute(db);
      if (dialect === 'sqlite') {
        await sql`create trigger files_spaces_usage_insert after insert on files_spaces begin
          insert into files_space_usage (space_id, used_bytes) values (new.id, 0); end`.execute(db);
        await sql`create trigger files_spaces_usage_delete after delete on files_spaces begin
          delete from files_space_usage where space_id = old.id; end`.execute(db);
        await sql`create trigger files_nodes_usage_insert after insert on files_nodes when new.kind = 'file' and new.trash_id is null begin
          update files_space_usage set used_bytes = used_bytes + new.size where space_id = new.space_id; end`.execute(db);
        await sql`create trigger files_nodes_usage_delete after delete on files_nodes when old.kind = 'file' and old.trash_id is null begin
          update files_space_usage set used_bytes = used_bytes - old.size where space_id = old.space_id; end`.execute(db);
        await sql`create trigger files_nodes_usage_update after update of kind, size, space_id, trash_id on files_nodes
          when (old.kind = 'file' and old.trash_id is null) or (new.kind = 'file' and new.trash_id is null) begin
          update files_space_usage set used_bytes = used_bytes - old.size where space_id = old.space_id and old.kind = 'file' and old.trash_id is null;
          update files_space_usage set used_bytes = used_bytes + new.size where space_id = new.space_id and new.kind = 'file' and new.trash_id is null;
          end`.execute(db);
        return;
      }
      await sql.raw(`create function files_space_usage_of_space() returns trigger language plpgsql as $$
        begin
          if tg_op = 'INSERT' then
            insert into files_space_usage (space_id, used_bytes) values (new.id, 0);
          else
            delete from files_space_usage where space_id = old.id;
          end if;
          return null;
        end $$`).execute(db);
      await sql`create trigger files_spaces_usage after insert or delete on files_spaces for each row execute function files_space_usage_of_space()`.execute(db);
      // Nested IFs: OLD is null in an INSERT trigger and NEW in a DELETE one.
      await sql.raw(`create function files_space_usage_of_node() returns trigger language plpgsql as $$
        begin
          if tg_op <> 'INSERT' then
            if old.kind = 'file' and old.trash_id is null then
              update files_space_usage set used_bytes = used_bytes - old.size where space_id = old.space_id;
            end if;
          end if;
          if tg_op <> 'DELETE' then
            if new.kind = 'file' and new.trash_id is null then
              update files_space_usage set used_bytes = used_bytes + new.size where space_id = new.space_id;
            end if;
          end if;
          return null;
        end $$`).execute(db);
      await sql`create trigger files_nodes_usage after insert or delete or update of kind, size, space_id, trash_id on files_nodes
        for each row execute function files_space_usage_of_node()`.execute(db);
    },
  },
  // The trash and the hourly sweeps read items by when they were deleted. Only a trashed item's top
  // node has trash_id = id, so these indexes hold just those: listing a space's trash walked every
  // node of the space (23 ms at 122,000), and each batch of the expiry sweep scanned the whole table.
  // Forgetting old "opened" entries scanned files_opened for the same reason.
  '2026112416_files_trash_and_opened_by_time': {
    async up(db) {
      await sql`create index files_nodes_trash_items on files_nodes (space_id, trashed_at) where trash_id = id`.execute(db);
      await sql`create index files_nodes_trash_expiry on files_nodes (trashed_at) where trash_id = id`.execute(db);
      await db.schema.createIndex('files_opened_at').on('files_opened').column('opened_at').execute();
    },
  },
  // WebDAV requests read the locks that can apply to their path (its own and its folders') and,
  // for a folder, those below it, instead of every active lock of the space. expires_at is in the
  // index so that SQLite's planner, which has no statistics, prefers it to files_locks_space.
  '2026112418_files_locks_by_path': {
    async up(db) {
      await db.schema.createIndex('files_locks_path').on('files_locks').columns(['space_id', 'path', 'expires_at']).execute();
    },
  },
  // Search matched names with tessera_fold(name) on every row a person can see; on SQLite that is
  // a JavaScript call per row (175 of 225 ms over 420,000 items). The folded name is now stored
  // when written (store.ts). Existing rows are folded here, a thousand at a time. When fold.ts
  // changes, a migration must fold them again.
  '2026112419_files_name_folded': {
    async up(db) {
      await db.schema.alterTable('files_nodes').addColumn('name_folded', 'text').execute();
      // Each thousand in one transaction (PostgreSQL runs the migration in one already): on SQLite,
      // one commit, one disk flush, per row would take minutes for a large instance.
      const foldSome = async (q: typeof db): Promise<number> => {
        const rows = (await q.selectFrom('files_nodes').select(['id', 'name']).where('name_folded', 'is', null).limit(1000).execute()) as { id: string; name: string }[];
        for (const r of rows) await q.updateTable('files_nodes').set({ name_folded: fold(r.name) }).where('id', '=', r.id).execute();
        return rows.length;
      };
      while ((db.isTransaction ? await foldSome(db) : await db.transaction().execute(foldSome)) > 0);
    },
  },
  // On PostgreSQL, a search by name read every item of the person's spaces. A trigram index on the
  // folded name lets the planner find the matching items instead when the words are selective
  // (searchStore.ts; 140 -> 17-30 ms at 400,000 items). pg_trgm ships with PostgreSQL (contrib)
  // and is a trusted extension: a database owner may create it. Where it cannot be created, the
  // migration leaves a warning and search reads the items as before. SQLite keeps reading them:
  // an FTS5 trigram table would cost every upload another index write.
  '2026112420_files_name_trigrams': {
    async up(db, dialect) {
      if (dialect !== 'postgres') return;
      // Every write folds the name (store.ts); the index then needs no fallback for a missing one.
      await sql`alter table files_nodes alter column name_folded set not null`.execute(db);
      await sql`savepoint files_trgm`.execute(db);
      try {
        await sql`create extension if not exists pg_trgm`.execute(db);
      } catch (e) {
        await sql`rollback to savepoint files_trgm`.execute(db);
        process.emitWarning(
          `pg_trgm could not be created (${(e as Error).message}): file search by name reads every item a person may see. ` +
            'To index names, as a superuser: create extension pg_trgm; create index files_nodes_name_trgm on files_nodes using gin (name_folded gin_trgm_ops) where trash_id is null; then restart Tessera.',
        );
        return;
      }
      await sql`release savepoint files_trgm`.execute(db);
      await sql`create index files_nodes_name_trgm on files_nodes using gin (name_folded gin_trgm_ops) where trash_id is null`.execute(db);
    },
  },
  // Every new file was written into eight indexes. Two did no work a sibling could not do:
  // (space_id, trash_id) has the prefix of (space_id, modified_at), and the index on trash_id held
  // a null for every live item while it is only ever asked for one trash's items.
  '2026112421_files_fewer_node_indexes': {
    async up(db) {
      await db.schema.dropIndex('files_nodes_space').execute();
      await db.schema.dropIndex('files_nodes_trash').execute();
      await sql`create index files_nodes_trash on files_nodes (trash_id) where trash_id is not null`.execute(db);
    },
  },
};

/** PostgreSQL keeps each document's vector of folded words: made again after tessera_fold changes. */
async function rebuildSearchVectors(db: Parameters<MigrationSet[string]['up']>[0]): Promise<void> {
  await sql`alter table files_search_docs drop column tsv`.execute(db);
  await sql`alter table files_search_docs add column tsv tsvector generated always as (to_tsvector('simple', tessera_fold(body))) stored`.execute(db);
  await sql`create index files_search_docs_tsv on files_search_docs using gin (tsv)`.execute(db);
}
