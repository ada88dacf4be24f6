import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../errors.js';
import { configOrExit } from '../context.js';

/**
 * Embedded stack only: an online, consistent copy of the SQLite database (SQLite's backup API,
 * safe while the server runs), then the blobs folder and the generated secret. The server stack
 * is backed up with the engines' own tools (pg_dump, bucket sync), as the admin guide says.
 */
export function registerBackupCommand(program: Command): void {
  program
    .command('backup <folder>')
    .description('embedded stack: copy the database (online), blobs and secret into an empty folder')
    .action(async (folder: string) => {
      const config = configOrExit();
      if (config.database.kind !== 'sqlite' || config.database.path === ':memory:') {
        throw new CliError('tessera backup copies the embedded SQLite database; on PostgreSQL use pg_dump (see docs/admin-guide.md#backup).', EXIT_USAGE);
      }
      const target = resolve(folder);
      if (existsSync(target) && readdirSync(target).length > 0) throw new CliError(`${target} is not empty; choose a new folder.`, EXIT_USAGE);
      if (!existsSync(config.database.path)) throw new CliError(`There is no database at ${config.database.path}.`);
      mkdirSync(target, { recursive: true });
      const { default: SQLite } = await import('better-sqlite3');
      const source = new SQLite(config.database.path, { readonly: true, fileMustExist: true });
      try {
        await source.backup(join(target, 'tessera.db'));
      } finally {
        source.close();
      }
      process.stdout.write(`database -> ${join(target, 'tessera.db')}\n`);
      if (config.blobs.kind === 'file' && existsSync(config.blobs.path)) {
        cpSync(config.blobs.path, join(target, 'blobs'), { recursive: true });
        process.stdout.write(`blobs    -> ${join(target, 'blobs')}\n`);
      } else if (config.blobs.kind === 's3') {
        process.stdout.write(`blobs    are in S3 bucket ${config.blobs.bucket}: copy them with your S3 tool.\n`);
      }
      const secret = join(config.dataDir, 'secret');
      if (!config.secret && existsSync(secret)) {
        cpSync(secret, join(target, 'secret'));
        process.stdout.write(`secret   -> ${join(target, 'secret')} (keep this folder private)\n`);
      }
      process.stdout.write('Backup complete.\n');
    });
}
