#!/usr/bin/env node
// Startup benchmark: time from spawn of `node bin/tessera.js serve` to /readyz 200, and idle RSS
// 5 s after ready (VmRSS from /proc/<pid>/status), on the embedded stack and, when
// TESSERA_BENCH_DATABASE_URL and TESSERA_BENCH_REDIS_URL are set, on the server stack.
// Targets: ready in 2 s, idle RSS under 200 MB; the ratio column is measured / target (< 1 is better).
//
// A peer comparison (openDesk's ~80 containers, Nextcloud, OX...) comes with later modules, once
// Tessera does enough of the same work for the comparison to be fair; this script measures Tessera only.
//
// Usage: npm run build:server && node bench/startup.mjs [--runs N]
// Server stack: TESSERA_BENCH_DATABASE_URL (a PostgreSQL URL whose role may CREATE DATABASE),
// TESSERA_BENCH_REDIS_URL, and optionally TESSERA_BENCH_BLOBS=s3://... with
// TESSERA_BENCH_S3_ACCESS_KEY_ID / TESSERA_BENCH_S3_SECRET_ACCESS_KEY (else blobs on local disk).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { freePort } from './freePort.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TARGET_MS = 2000;
const TARGET_MB = 200;
const IDLE_WAIT_MS = 5000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = Number(runsArg > 0 ? process.argv[runsArg + 1] : process.env.TESSERA_BENCH_RUNS ?? 5);

if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
  console.error('dist/cli/main.js is missing: run `npm run build:server` first.');
  process.exit(2);
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** One start: spawn, poll /readyz, wait idle, read RSS, SIGTERM. */
async function startOnce(env) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/tessera.js', 'serve'], {
    cwd: ROOT,
    env: { ...cleanEnv, ...env, TESSERA_PORT: String(port), TESSERA_HOST: '127.0.0.1', TESSERA_PUBLIC_URL: url, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let exited = false;
  const exit = new Promise((resolve) => child.on('exit', (code) => ((exited = true), resolve(code))));
  let readyMs;
  while (performance.now() - started < 60_000) {
    if (exited) throw new Error(`tessera serve exited early: ${stderr}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) {
        readyMs = performance.now() - started;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (readyMs === undefined) {
    child.kill('SIGKILL');
    throw new Error(`not ready within 60 s: ${stderr}`);
  }
  await new Promise((r) => setTimeout(r, IDLE_WAIT_MS));
  const rss = rssMb(child.pid);
  child.kill('SIGTERM');
  await exit;
  return { readyMs, rss };
}

async function freshPostgres(baseUrl) {
  const pg = (await import('pg')).default;
  const name = `tessera_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.end();
  } };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function benchStack(name, makeEnv) {
  const { env, cleanup } = await makeEnv();
  try {
    // The first start on an empty database runs every migration and first-run setup: reported apart.
    const cold = await startOnce(env);
    const warm = [];
    for (let i = 0; i < RUNS; i++) warm.push(await startOnce(env));
    return { name, cold, warm };
  } finally {
    await cleanup();
  }
}

const stacks = [
  [
    'embedded (SQLite + disk)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
      return { env: { TESSERA_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];
const dbUrl = process.env.TESSERA_BENCH_DATABASE_URL;
const redisUrl = process.env.TESSERA_BENCH_REDIS_URL;
if (dbUrl && redisUrl) {
  stacks.push([
    `server (PostgreSQL + Redis${process.env.TESSERA_BENCH_BLOBS ? ' + S3' : ' + disk blobs'})`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
      const db = await freshPostgres(dbUrl);
      const env = { TESSERA_DATA_DIR: dir, TESSERA_DATABASE_URL: db.url, TESSERA_REDIS_URL: redisUrl, TESSERA_SECRET: randomBytes(32).toString('hex') };
      if (process.env.TESSERA_BENCH_BLOBS) {
        env.TESSERA_BLOBS = process.env.TESSERA_BENCH_BLOBS;
        env.TESSERA_S3_ACCESS_KEY_ID = process.env.TESSERA_BENCH_S3_ACCESS_KEY_ID ?? '';
        env.TESSERA_S3_SECRET_ACCESS_KEY = process.env.TESSERA_BENCH_S3_SECRET_ACCESS_KEY ?? '';
      }
      return { env, cleanup: async () => { await db.drop(); rmSync(dir, { recursive: true, force: true }); } };
    },
  ]);
} else {
  console.log('(server stack skipped: set TESSERA_BENCH_DATABASE_URL and TESSERA_BENCH_REDIS_URL to include it)');
}

console.log(`Tessera startup benchmark: ${RUNS} warm starts per stack after one cold start; node ${process.version}; ${new Date().toISOString()}`);
const rows = [];
for (const [name, makeEnv] of stacks) {
  const r = await benchStack(name, makeEnv);
  const warmMs = median(r.warm.map((w) => w.readyMs));
  const maxMs = Math.max(...r.warm.map((w) => w.readyMs));
  const rss = median(r.warm.map((w) => w.rss));
  rows.push([
    r.name,
    `${Math.round(r.cold.readyMs)}`,
    `${Math.round(warmMs)}`,
    `${Math.round(maxMs)}`,
    (warmMs / TARGET_MS).toFixed(2),
    rss.toFixed(1),
    (rss / TARGET_MB).toFixed(2),
  ]);
}
const header = ['stack', 'cold ms', 'warm ms (median)', 'warm ms (max)', `ratio vs ${TARGET_MS} ms`, 'idle RSS MB (median)', `ratio vs ${TARGET_MB} MB`];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
console.log('Peer comparison: comes with later modules (see the header of bench/startup.mjs).');
