import { constants, mkdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { describeConfig, type Config } from '../../platform/config/config.js';
import { openDatabase } from '../../platform/db/database.js';
import { createBlobStore } from '../../platform/blobs/createBlobStore.js';
import { createEventBus } from '../../platform/bus/createEventBus.js';
import { CliError } from '../errors.js';
import { configOrExit } from '../context.js';
import { cliLogger } from '../services.js';

interface Check {
  name: string;
  hint: string;
  run: () => Promise<string>;
}

const TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One check per backend, each opened on its own so that one failure does not hide the others. */
export function doctorChecks(config: Config): Check[] {
  const db = config.database;
  const blobs = config.blobs;
  return [
    {
      name: 'data dir',
      hint: `Create ${config.dataDir} and make it writable by the account Tessera runs as (TESSERA_DATA_DIR).`,
      run: async () => {
        mkdirSync(config.dataDir, { recursive: true });
        await access(config.dataDir, constants.W_OK);
        return `${config.dataDir} is writable`;
      },
    },
    {
      name: 'database',
      hint:
        db.kind === 'sqlite'
          ? `Check that the folder of ${db.path} exists and is writable, and that no other program holds the file.`
          : 'Check TESSERA_DATABASE_URL (host, port, user, password, database name) and that PostgreSQL accepts connections (pg_isready).',
      run: async () => {
        const database = await withTimeout(openDatabase(db), 'the database');
        try {
          await withTimeout(database.ping(), 'the database');
          return db.kind === 'sqlite' ? `SQLite at ${db.path}` : 'PostgreSQL answers';
        } finally {
          await database.close();
        }
      },
    },
    {
      name: 'blob store',
      hint:
        blobs.kind === 'file'
          ? `Check that ${blobs.path} exists or can be created, and is writable.`
          : 'Check the bucket, endpoint and region in TESSERA_BLOBS and the credentials in TESSERA_S3_ACCESS_KEY_ID / TESSERA_S3_SECRET_ACCESS_KEY.',
      run: async () => {
        const store = await withTimeout(createBlobStore(blobs), 'the blob store');
        try {
          await withTimeout(store.check(), 'the blob store');
          return blobs.kind === 'file' ? `local folder ${blobs.path}` : `S3 bucket ${blobs.bucket}`;
        } finally {
          await store.close();
        }
      },
    },
    {
      name: 'Redis bus',
      hint: 'Check TESSERA_REDIS_URL and that Redis runs and accepts this client (redis-cli -u URL ping).',
      run: async () => {
        if (!config.redisUrl) return 'not configured: events stay in this process (set TESSERA_REDIS_URL to run several processes)';
        const bus = await withTimeout(createEventBus(config.redisUrl, cliLogger('silent')), 'Redis');
        try {
          await withTimeout(bus.check(), 'Redis');
          return 'Redis answers';
        } finally {
          await bus.close();
        }
      },
    },
  ];
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('print the effective configuration (secrets masked) and check every backend')
    .action(async () => {
      const config = configOrExit();
      const out = (line: string) => process.stdout.write(line + '\n');
      out('Effective configuration:');
      const described = describeConfig(config);
      const width = Math.max(...Object.keys(described).map((k) => k.length));
      for (const [k, v] of Object.entries(described)) out(`  ${k.padEnd(width)}  ${v}`);
      if (config.database.kind === 'postgres' && !config.secret) {
        out('  note: with a shared database, set the same TESSERA_SECRET on every process.');
      }
      out('');
      out('Checks:');
      let failed = 0;
      for (const check of doctorChecks(config)) {
        try {
          out(`  ${check.name.padEnd(10)}  ok      ${await check.run()}`);
        } catch (e) {
          failed++;
          out(`  ${check.name.padEnd(10)}  FAILED  ${(e as Error).message}`);
          out(`  ${''.padEnd(10)}  hint:   ${check.hint}`);
        }
      }
      if (failed) throw new CliError(`${failed} check(s) failed.`);
      out('\nAll checks passed.');
    });
}
