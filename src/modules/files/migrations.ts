import { sql } from 'kysely';
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
};
