import type { Kysely } from 'kysely';
import { withTables, type Database, type Tx } from '../../../platform/db/database.js';
import type { PlatformTables } from '../../../platform/db/platformTables.js';
import type { FilesTables, UploadPartRow, UploadRow } from '../tables.js';

type Q = Kysely<FilesTables & PlatformTables>;

const stores = new WeakMap<Database, UploadStore>();

/** The SQL of resumable uploads (files_uploads, files_upload_parts). */
export class UploadStore {
  static of(database: Database): UploadStore {
    let s = stores.get(database);
    if (!s) stores.set(database, (s = new UploadStore(database)));
    return s;
  }

  constructor(private readonly database: Database) {}

  private q(tx?: Tx): Q {
    return withTables<FilesTables>(tx ?? this.database.db);
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.transaction(fn);
  }

  async insert(row: UploadRow): Promise<void> {
    await this.q().insertInto('files_uploads').values(row).execute();
  }

  async get(id: string, tx?: Tx): Promise<UploadRow | undefined> {
    const row = await this.q(tx).selectFrom('files_uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { ...row, length: Number(row.length), received: Number(row.received), create_only: Number(row.create_only) };
  }

  /** Re-reads the upload inside a transaction, locking it on PostgreSQL (SQLite runs one writer at a time). */
  async lock(id: string, tx: Tx): Promise<UploadRow | undefined> {
    if (this.database.dialect === 'postgres') await this.q(tx).selectFrom('files_uploads').select('id').where('id', '=', id).forUpdate().execute();
    return this.get(id, tx);
  }

  async update(id: string, changes: Partial<Pick<UploadRow, 'received' | 'expires_at' | 'node_id'>>, tx?: Tx): Promise<void> {
    await this.q(tx).updateTable('files_uploads').set(changes).where('id', '=', id).execute();
  }

  async parts(uploadId: string, tx?: Tx): Promise<UploadPartRow[]> {
    const rows = await this.q(tx).selectFrom('files_upload_parts').selectAll().where('upload_id', '=', uploadId).orderBy('start').execute();
    return rows.map((r) => ({ ...r, start: Number(r.start), size: Number(r.size) }));
  }

  async insertPart(row: UploadPartRow, tx: Tx): Promise<void> {
    await this.q(tx).insertInto('files_upload_parts').values(row).execute();
  }

  /** Removes the parts' rows; returns their blob keys for deletion after the commit. */
  async deleteParts(uploadId: string, tx: Tx): Promise<string[]> {
    const keys = (await this.q(tx).selectFrom('files_upload_parts').select('blob_key').where('upload_id', '=', uploadId).execute()).map((r) => r.blob_key);
    await this.q(tx).deleteFrom('files_upload_parts').where('upload_id', '=', uploadId).execute();
    return keys;
  }

  async delete(id: string, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_uploads').where('id', '=', id).execute();
  }

  async expiredIds(at: string, limit: number): Promise<string[]> {
    const rows = await this.q().selectFrom('files_uploads').select('id').where('expires_at', '<', at).orderBy('expires_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }
}
