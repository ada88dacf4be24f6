import type { Kysely } from 'kysely';
import { withTables, type Database, type Tx } from '../../../platform/db/database.js';
import type { PlatformTables } from '../../../platform/db/platformTables.js';
import type { FilesTables, QuarantineRow } from '../tables.js';

/** SQL of the quarantine: uploads clamd refused, kept for administrators (quarantine mode). */
export class QuarantineStore {
  constructor(private readonly database: Database) {}

  private q(tx?: Tx): Kysely<FilesTables & PlatformTables> {
    return withTables<FilesTables>(tx ?? this.database.db);
  }

  async insert(row: QuarantineRow, tx: Tx): Promise<void> {
    await this.q(tx).insertInto('files_quarantine').values(row).execute();
  }

  async list(limit: number, offset: number): Promise<QuarantineRow[]> {
    const rows = await this.q().selectFrom('files_quarantine').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
    return rows.map((r) => ({ ...r, size: Number(r.size) }));
  }

  async get(id: string, tx?: Tx): Promise<QuarantineRow | undefined> {
    return this.q(tx).selectFrom('files_quarantine').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async delete(id: string, tx: Tx): Promise<void> {
    await this.q(tx).deleteFrom('files_quarantine').where('id', '=', id).execute();
  }
}
