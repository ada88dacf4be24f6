#!/usr/bin/env node
// File search at scale: two people, each with a personal space of --folders x --subfolders folders
// of --files files (200,000 files each by default; about 1 in 500 named "Budget plan …", the rest
// "report-…" with a random suffix), alice sharing one top folder (5,000 files) with bob. Times
// GET /api/files/search for each of them: two selective queries, one that every file matches,
// one that none does. Embedded stack by default; with --database-url postgres://… (a role that
// may CREATE DATABASE) on PostgreSQL, in a database of its own that it drops at the end.
//
// No peer: this measures how search scales, for docs/benchmarks.md.
//
// Usage: npm run build:server && node bench/search.mjs [--database-url URL] [--folders 40] [--subfolders 100] [--files 50] [--runs 5]
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './freePort.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const FOLDERS = Number(arg('folders', 40));
const SUBFOLDERS = Number(arg('subfolders', 100));
const FILES = Number(arg('files', 50));
const RUNS = Number(arg('runs', 5));
const BASE_URL = arg('database-url', undefined);
const QUERIES = ['budget plan', 'a1b2', 'report', 'zz'];

if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
  console.error('dist/cli/main.js is missing: run `npm run build:server` first.');
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-search-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
let databaseUrl;
let pg;
if (BASE_URL) {
  pg = (await import('pg')).default;
  const name = `tessera_bench_search_${process.pid}`;
  const admin = new pg.Client(BASE_URL);
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  databaseUrl = u.toString();
}
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
const env = {
  ...clean,
  TESSERA_DATA_DIR: dataDir,
  TESSERA_PORT: String(port),
  TESSERA_HOST: '127.0.0.1',
  TESSERA_PUBLIC_URL: url,
  TESSERA_LOG_LEVEL: 'warn',
  ...(databaseUrl ? { TESSERA_DATABASE_URL: databaseUrl } : {}),
};
const password = (u) => `bench-${u}-password`;

async function serve() {
  const child = spawn(process.execPath, ['bin/tessera.js', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('Tessera exited before it was ready');
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return { stop };
}

async function signIn(u) {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: u, password: password(u) }) });
  if (res.status !== 200) throw new Error(`sign-in of ${u} failed: ${res.status}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  // The first visit creates the personal space.
  await fetch(`${url}/api/files/spaces`, { headers: { cookie } });
  return cookie;
}

/** Every row the data set inserts, the same on both stacks (names from a hash, not Math.random). */
function* rows(space, now) {
  const iso = new Date(now).toISOString();
  const node = (id, parent, name, kind, modified) => ({
    id,
    space_id: space.id,
    parent_id: parent,
    name,
    name_folded: name.toLowerCase(),
    kind,
    size: kind === 'file' ? 1000 : 0,
    etag: randomUUID().replaceAll('-', ''),
    created_at: iso,
    modified_at: modified,
    created_by: space.owner_id,
    modified_by: space.owner_id,
    blob_key: kind === 'file' ? `bench/${id}` : null,
    sha256: kind === 'file' ? createHash('sha256').update(id).digest('hex') : null,
    content_type: kind === 'file' ? 'text/plain' : null,
  });
  for (let f = 0; f < FOLDERS; f++) {
    const top = randomUUID();
    yield node(top, space.root_id, `Project ${f}`, 'folder', iso);
    for (let s = 0; s < SUBFOLDERS; s++) {
      const sub = randomUUID();
      yield node(sub, top, `Sub ${s}`, 'folder', iso);
      for (let i = 0; i < FILES; i++) {
        const h = createHash('md5').update(`${space.owner_id}/${f}/${s}/${i}`).digest('hex');
        const name = parseInt(h.slice(0, 4), 16) % 500 === 0 ? `Budget plan ${f}-${s}-${i}.xlsx` : `report-${i}-${h.slice(4, 14)}.txt`;
        yield node(randomUUID(), sub, name, 'file', new Date(now - (f * SUBFOLDERS * FILES + s * FILES + i) * 1000).toISOString());
      }
    }
  }
}

async function populate() {
  const now = Date.now();
  if (pg) {
    const db = new pg.Client(databaseUrl);
    await db.connect();
    const spaces = (await db.query(`select s.id, s.root_id, s.owner_id, u.username from files_spaces s join users u on u.id = s.owner_id`)).rows;
    for (const space of spaces) {
      let batch = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const cols = Object.keys(batch[0]);
        const params = [];
        const values = batch.map((r) => `(${cols.map((c) => (params.push(r[c]), `$${params.length}`)).join(', ')})`).join(', ');
        await db.query(`insert into files_nodes (${cols.join(', ')}) values ${values}`, params);
        batch = [];
      };
      for (const r of rows(space, now)) {
        batch.push(r);
        if (batch.length === 1000) await flush();
      }
      await flush();
    }
    await share(spaces, (text, params) => db.query(text, params));
    await db.query('analyze');
    await db.end();
    return;
  }
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(join(dataDir, 'tessera.db'));
  const spaces = db.prepare(`select s.id, s.root_id, s.owner_id, u.username from files_spaces s join users u on u.id = s.owner_id`).all();
  db.transaction(() => {
    for (const space of spaces) {
      let insert;
      for (const r of rows(space, now)) {
        insert ??= db.prepare(`insert into files_nodes (${Object.keys(r).join(', ')}) values (${Object.keys(r).map((c) => `@${c}`).join(', ')})`);
        insert.run(r);
      }
    }
  })();
  await share(spaces, async (text, params) => db.prepare(text.replace(/\$\d+/g, '?')).run(...params));
  db.close();
}

/** alice shares her first top folder with bob. */
async function share(spaces, run) {
  const alice = spaces.find((s) => s.username === 'alice');
  const bob = spaces.find((s) => s.username === 'bob');
  const at = new Date().toISOString();
  await run(
    `insert into files_shares (id, node_id, space_id, grantee_type, grantee_id, role, created_by, created_at, updated_at)
     select $1, id, space_id, 'user', $2, 'view', $3, $4, $5 from files_nodes where space_id = $6 and parent_id = $7 and name = 'Project 0'`,
    [randomUUID(), bob.owner_id, alice.owner_id, at, at, alice.id, alice.root_id],
  );
}

try {
  for (const u of ['alice', 'bob']) {
    execFileSync(process.execPath, ['bin/tessera.js', 'user', 'add', u, '--email', `${u}@example.org`, '--name', u, '--password-stdin'], { cwd: ROOT, env, input: password(u) + '\n', stdio: ['pipe', 'ignore', 'inherit'] });
  }
  let server = await serve();
  for (const u of ['alice', 'bob']) await signIn(u);
  await server.stop();
  const t0 = performance.now();
  await populate();
  const files = 2 * FOLDERS * SUBFOLDERS * FILES;
  console.log(`${BASE_URL ? 'PostgreSQL' : 'SQLite'}: ${files.toLocaleString('en')} files in ${2 * FOLDERS * (SUBFOLDERS + 1)} folders written in ${((performance.now() - t0) / 1000).toFixed(1)} s; bob sees alice's "Project 0" (${(SUBFOLDERS * FILES).toLocaleString('en')} files) through a share`);
  server = await serve();
  const cookies = { alice: await signIn('alice'), bob: await signIn('bob') };
  console.log('| who | query | results on the first page | median ms | min ms |');
  console.log('|---|---|---|---|---|');
  for (const who of ['alice', 'bob']) {
    for (const q of QUERIES) {
      const times = [];
      let count = 0;
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const res = await fetch(`${url}/api/files/search?q=${encodeURIComponent(q)}`, { headers: { cookie: cookies[who] } });
        const body = await res.json();
        if (res.status !== 200) throw new Error(`search failed: ${res.status} ${JSON.stringify(body)}`);
        times.push(performance.now() - t);
        count = body.items.length;
      }
      times.sort((a, b) => a - b);
      console.log(`| ${who} | ${q} | ${count} | ${times[Math.floor(times.length / 2)].toFixed(1)} | ${times[0].toFixed(1)} |`);
    }
  }
  await server.stop();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  if (BASE_URL) {
    const admin = new pg.Client(BASE_URL);
    await admin.connect();
    await admin.query(`drop database if exists ${new URL(databaseUrl).pathname.slice(1)}`);
    await admin.end();
  }
}
