#!/usr/bin/env node
/**
 * Files benchmark: Tessera's WebDAV against a peer, Apache httpd's mod_dav (Debian's apache2), side
 * by side on the same machine, same filesystem (both under os.tmpdir()), same workload, over loopback.
 *
 * Both servers run for the whole bench; the workload goes to one server at a time (the order
 * alternates between phases, PROPFIND runs interleave) with Node's http, a keep-alive agent and at
 * most --concurrency requests in flight:
 *   1. populate: MKCOL /big/, then --entries tiny PUTs into it (timed, reported too);
 *   2. PROPFIND Depth 1 on /big/, median of 5 — once with a prop list (what rclone, davfs2 and the
 *      desktop clients send) and once allprop (empty body); every answer must list entries + 1 items;
 *   3. --small PUTs of 1 KiB into a fresh folder, wall time, median of --rounds, after --warmup
 *      unmeasured rounds on each server (both servers' first 1,000-PUT rounds took up to 1.5x as
 *      long as their later ones: Node's JIT, Apache's own start-up, the VM's CPU);
 *   4. one PUT of --big-mb MiB streamed from a generated 1 MiB pattern (never held in memory), then
 *      one GET of it, streamed, size and SHA-256 checked; throughput in MiB/s, median of --rounds
 *      (a new file each round);
 *   5. peak memory over the whole run: Tessera's VmHWM (/proc/<pid>/status, the kernel's high-water
 *      mark of the one process), Apache's largest sum of VmRSS over its processes sampled every
 *      100 ms; both are also sampled as summed PSS, which counts shared pages once.
 * The ratio column is Tessera / Apache; the "better" column says which side wins each figure.
 * Peer settings: see bench/files/apache.mjs (Debian stock values; not tuned down).
 *
 * Usage:
 *   bash scripts/ensure-bench-tools.sh && npm run build:server
 *   node bench/files/run.mjs [--entries 10000] [--small 1000] [--big-mb 1024] [--concurrency 8] [--rounds 3] [--warmup 1]
 *                            [--timeout-min 30] [--keep] [--cpu-prof <dir>] [--quota-gib <n>]
 * --quota-gib <n> gives Tessera's bench account a quota of n GiB, as most deployments do (Apache's
 * mod_dav has no quotas); every Tessera upload then checks it.
 * --cpu-prof <dir> runs Tessera's server under `node --cpu-prof` and leaves the .cpuprofile in <dir>
 * (open it in Chrome DevTools or speedscope); the figures of such a run include the profiler's cost.
 * Besides the table, the run prints the CPU seconds each server used per phase (/proc/<pid>/stat,
 * Apache's processes summed), which shows whether a phase is bound by the server's CPU.
 * Quick dry run: node bench/files/run.mjs --entries 1000 --small 200 --big-mb 100
 * The run stops by itself: every request has a time limit and the whole run is killed after
 * --timeout-min minutes. Not part of the test suite.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApache } from './apache.mjs';
import { DavClient, cpuSeconds, memorySampler, pool, statusKb } from './dav.mjs';
import { freePort } from '../freePort.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return v;
}
const ENTRIES = option('entries', 10_000);
const SMALL = option('small', 1_000);
const BIG_MIB = option('big-mb', 1024);
const CONCURRENCY = option('concurrency', 8);
/** Small PUTs and the big PUT/GET run this many rounds (order alternating); the table shows medians. */
const ROUNDS = option('rounds', 3);
/** Unmeasured rounds of small PUTs on each server before the measured ones (0 for none). */
const WARMUP = process.argv.includes('--warmup') ? Number(process.argv[process.argv.indexOf('--warmup') + 1]) : 1;
if (!Number.isInteger(WARMUP) || WARMUP < 0) {
  console.error('--warmup needs a whole number (0 or more)');
  process.exit(2);
}
const TIMEOUT_MIN = option('timeout-min', 30);
/** Gives Tessera's bench account a quota of this many GiB (Apache's mod_dav has none), as most deployments do. */
const QUOTA_GIB = process.argv.includes('--quota-gib') ? option('quota-gib', 0) : undefined;
const KEEP = process.argv.includes('--keep');
const CPU_PROF = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
if (process.argv.includes('--cpu-prof') && !CPU_PROF) {
  console.error('--cpu-prof needs a directory');
  process.exit(2);
}
const PROPFIND_RUNS = 5;
const SMALL_SIZE = 1024;
const CHUNK = 1 << 20;
const USER = 'bench';

if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
  console.error('dist/cli/main.js is missing: run `npm run build:server` first.');
  process.exit(2);
}
try {
  execFileSync('sh', ['-c', 'command -v apache2 && command -v htpasswd'], { stdio: 'ignore' });
} catch {
  console.error('apache2/htpasswd not found: run `bash scripts/ensure-bench-tools.sh` first.');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: everything started is stopped on exit, on Ctrl-C and by the watchdog.

const cleanups = [];
let cleaning;
async function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        console.error(`cleanup: ${e.message}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void cleanup().then(() => process.exit(130)));
setTimeout(() => {
  console.error(`bench/files: still running after ${TIMEOUT_MIN} min; stopping.`);
  void cleanup().then(() => process.exit(3));
}, TIMEOUT_MIN * 60_000).unref();

/** Polls `url` until any HTTP answer below 500 (Apache answers 401/403 at /), or the child exits. */
async function waitReady(url, child, stderr, okStatus = (s) => s < 500) {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: server exited early: ${stderr()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (okStatus(res.status)) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}: not ready within 60 s: ${stderr()}`);
}

function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (!KEEP) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Tessera: an account made with the CLI on the data dir, `serve`, sign-in, one app password.

async function startTessera() {
  const dataDir = tempDir('tessera-bench-files-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
  const env = { ...clean, TESSERA_DATA_DIR: dataDir, TESSERA_PORT: String(port), TESSERA_HOST: '127.0.0.1', TESSERA_PUBLIC_URL: url, TESSERA_LOG_LEVEL: 'warn' };
  const password = randomBytes(18).toString('base64url');
  const admin = QUOTA_GIB !== undefined ? ['--admin'] : [];
  execFileSync(process.execPath, ['bin/tessera.js', 'user', 'add', USER, '--email', 'bench@example.org', '--name', 'Bench', '--password-stdin', ...admin], {
    cwd: ROOT,
    env,
    input: password + '\n',
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, 'bin/tessera.js', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  await waitReady(`${url}/readyz`, child, () => stderr, (s) => s === 200);

  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: USER, password }) });
  const session = await login.json();
  if (login.status !== 200 || session.status !== 'ok') throw new Error(`Tessera sign-in failed: ${login.status} ${JSON.stringify(session)}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (QUOTA_GIB !== undefined) {
    const me = await (await fetch(`${url}/api/me`, { headers: { cookie } })).json();
    const quota = await fetch(`${url}/api/admin/users/${me.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken },
      body: JSON.stringify({ quotaBytes: Math.round(QUOTA_GIB * 2 ** 30) }),
    });
    if (quota.status !== 200) throw new Error(`Tessera quota failed: ${quota.status} ${await quota.text()}`);
  }
  const created = await fetch(`${url}/api/me/app-passwords`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ name: 'bench/files' }),
  });
  const app = await created.json();
  if (created.status !== 201) throw new Error(`Tessera app password failed: ${created.status} ${JSON.stringify(app)}`);
  return { name: 'Tessera', child, dav: `${url}/dav/files/${USER}/`, password: app.password, stderr: () => stderr };
}

async function startPeer() {
  const dir = tempDir('apache-bench-files-');
  const port = await freePort();
  const password = randomBytes(18).toString('base64url');
  const apache = await startApache({ dir, port, username: USER, password, waitReady });
  cleanups.push(apache.stop);
  return {
    name: 'Apache',
    child: apache.child,
    dav: `http://127.0.0.1:${port}/dav/files/${USER}/`,
    password,
    stderr: () => {
      try {
        return readFileSync(apache.errorLog, 'utf8').slice(-5000);
      } catch {
        return '';
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Workload.

const PROP_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/>' +
  '<d:getlastmodified/><d:getetag/><d:getcontenttype/><d:displayname/></d:prop></d:propfind>';
const RESPONSE_RE = /<(?:[A-Za-z_][\w.-]*:)?response[\s>]/g;

const entryName = (i) => `entry-${String(i).padStart(6, '0')}.txt`;
const smallName = (i) => `small-${String(i).padStart(6, '0')}.bin`;
const smallBody = randomBytes(SMALL_SIZE);
const bigBase = randomBytes(CHUNK);
/** Chunk i of the big file: the random 1 MiB pattern with its index stamped in (no two chunks alike). */
function bigChunk(i) {
  const b = Buffer.from(bigBase);
  b.writeUInt32BE(i, 0);
  return b;
}
const BIG_BYTES = BIG_MIB * CHUNK;

async function populate(s) {
  await s.client.expectOk('MKCOL', 'big/');
  const t0 = performance.now();
  await pool(ENTRIES, CONCURRENCY, (i) => s.client.expectOk('PUT', `big/${entryName(i)}`, { body: `entry ${i}\n`, headers: { 'content-type': 'text/plain' } }));
  return performance.now() - t0;
}

async function propfindOnce(s, body) {
  const t0 = performance.now();
  const res = await s.client.request('PROPFIND', 'big/', {
    headers: { depth: '1', ...(body ? { 'content-type': 'application/xml; charset=utf-8' } : {}) },
    body: body ?? undefined,
  });
  const ms = performance.now() - t0;
  if (res.status !== 207) throw new Error(`${s.name} PROPFIND answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
  const n = res.body.toString('utf8').match(RESPONSE_RE)?.length ?? 0;
  if (n !== ENTRIES + 1) throw new Error(`${s.name} PROPFIND listed ${n} items, expected ${ENTRIES + 1}`);
  return { ms, bytes: res.body.length };
}

async function smallPuts(s, round) {
  await s.client.expectOk('MKCOL', `small-${round}/`);
  const t0 = performance.now();
  await pool(SMALL, CONCURRENCY, (i) => s.client.expectOk('PUT', `small-${round}/${smallName(i)}`, { body: smallBody, headers: { 'content-type': 'application/octet-stream' } }));
  return performance.now() - t0;
}

async function bigPut(s, round) {
  const t0 = performance.now();
  await s.client.putStream(`big-${round}.bin`, BIG_BYTES, CHUNK, bigChunk, 300_000);
  return performance.now() - t0;
}

async function bigGet(s, round, expectedSha) {
  const t0 = performance.now();
  const { bytes, sha256 } = await s.client.getStream(`big-${round}.bin`, 300_000);
  const ms = performance.now() - t0;
  if (bytes !== BIG_BYTES) throw new Error(`${s.name} GET big.bin gave ${bytes} bytes, expected ${BIG_BYTES}`);
  if (sha256 !== expectedSha) throw new Error(`${s.name} GET big.bin: SHA-256 mismatch`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (msg) => console.log(`  [${new Date().toISOString().slice(11, 19)}] ${msg}`);

// ---------------------------------------------------------------------------------------------

try {
  const load0 = loadavg();
  console.log(
    `Files benchmark: Tessera WebDAV vs Apache mod_dav; entries=${ENTRIES} small=${SMALL}x${SMALL_SIZE} B (warm-up ${WARMUP}) big=${BIG_MIB} MiB ` +
      `${QUOTA_GIB !== undefined ? `Tessera quota=${QUOTA_GIB} GiB ` : ''}concurrency=${CONCURRENCY}; node ${process.version}; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
      `load ${load0.map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`,
  );
  const apacheVersion = /Apache\/[\d.]+/.exec(execFileSync('apache2', ['-v'], { encoding: 'utf8' }))?.[0] ?? 'Apache';

  log('hashing the big file pattern');
  const h = createHash('sha256');
  for (let i = 0; i < BIG_MIB; i++) h.update(bigChunk(i));
  const bigSha = h.digest('hex');

  log('starting Tessera and Apache');
  const tessera = await startTessera();
  const apache = await startPeer();
  const servers = [tessera, apache];
  for (const s of servers) {
    s.client = new DavClient(s.dav, USER, s.password, CONCURRENCY);
    cleanups.push(() => s.client.close());
    s.mem = memorySampler(s.child.pid, 100);
    await s.client.expectOk('PROPFIND', '', { headers: { depth: '0' } });
  }
  const [T, A] = [tessera, apache];
  const r = { T: {}, A: {} };
  const key = (s) => (s === T ? 'T' : 'A');
  /** Runs one phase on one server, recording the server's CPU seconds and the Tessera RSS after it. */
  const cpu = { T: {}, A: {} };
  const tesseraMem = () => `VmRSS ${(statusKb(T.child.pid, 'VmRSS') / 1024).toFixed(0)} MB, VmHWM ${(statusKb(T.child.pid, 'VmHWM') / 1024).toFixed(0)} MB`;
  log(`Tessera ready: ${tesseraMem()}`);
  const phase = async (s, name, fn) => {
    const c0 = cpuSeconds(s.child.pid);
    const t0 = performance.now();
    const out = await fn();
    const wall = (performance.now() - t0) / 1000;
    const used = cpuSeconds(s.child.pid) - c0;
    const prev = cpu[key(s)][name] ?? { cpu: 0, wall: 0 };
    cpu[key(s)][name] = { cpu: prev.cpu + used, wall: prev.wall + wall };
    if (s === T && name === 'populate') log(`Tessera after ${name}: ${tesseraMem()}`);
    return out;
  };

  for (const s of [A, T]) {
    log(`${s.name}: populating ${ENTRIES} entries`);
    r[key(s)].populate = await phase(s, 'populate', () => populate(s));
  }
  for (const [label, body] of [['prop', PROP_BODY], ['allprop', null]]) {
    for (const s of servers) r[key(s)][label] = [];
    for (let i = 0; i < PROPFIND_RUNS; i++) {
      for (const s of i % 2 ? [A, T] : [T, A]) r[key(s)][label].push(await phase(s, `PROPFIND ${label} x${PROPFIND_RUNS}`, () => propfindOnce(s, body)));
    }
    log(`PROPFIND ${label}: Tessera ${r.T[label].map((x) => x.ms.toFixed(0)).join('/')} ms, Apache ${r.A[label].map((x) => x.ms.toFixed(0)).join('/')} ms; Tessera ${tesseraMem()}`);
  }
  // Rounds, each alternating which server goes first: one disk flush or neighbour's burst then
  // weighs on one round of one server, and the median leaves it out.
  for (let w = 0; w < WARMUP; w++) {
    for (const s of w % 2 ? [A, T] : [T, A]) await smallPuts(s, `warmup-${w}`);
  }
  if (WARMUP > 0) log(`warm-up: ${WARMUP} unmeasured round(s) of ${SMALL} small PUTs on each server`);
  for (const s of servers) Object.assign(r[key(s)], { small: [], bigPut: [], bigGet: [] });
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [A, T] : [T, A];
    for (const s of order) r[key(s)].small.push(await phase(s, `small PUTs x${ROUNDS}`, () => smallPuts(s, round)));
    for (const s of [...order].reverse()) r[key(s)].bigPut.push(await phase(s, `big PUT x${ROUNDS}`, () => bigPut(s, round)));
    for (const s of order) r[key(s)].bigGet.push(await phase(s, `big GET x${ROUNDS}`, () => bigGet(s, round, bigSha)));
    const last = (x) => x.at(-1).toFixed(0);
    log(`round ${round + 1}: small PUTs Tessera ${last(r.T.small)} / Apache ${last(r.A.small)} ms; PUT ${BIG_MIB} MiB ${last(r.T.bigPut)} / ${last(r.A.bigPut)} ms; GET ${last(r.T.bigGet)} / ${last(r.A.bigGet)} ms; Tessera ${tesseraMem()}`);
  }
  for (const s of servers) s.peak = s.mem.stop();
  r.T.hwmKb = statusKb(T.child.pid, 'VmHWM');
  const load1 = loadavg();

  const mibps = (ms) => BIG_MIB / (ms / 1000);
  const rows = [];
  const row = (figure, t, a, lowerIsBetter, fmt) => {
    const ratio = t / a;
    const tesseraWins = lowerIsBetter ? ratio < 1 : ratio > 1;
    rows.push([figure, fmt(t), fmt(a), ratio.toFixed(2), lowerIsBetter ? 'lower' : 'higher', tesseraWins ? 'Tessera' : 'Apache']);
  };
  const ms = (v) => v.toFixed(0);
  const mb = (v) => v.toFixed(1);
  row(`PROPFIND Depth 1, ${ENTRIES} entries, prop list (median of ${PROPFIND_RUNS}, ms)`, median(r.T.prop.map((x) => x.ms)), median(r.A.prop.map((x) => x.ms)), true, ms);
  row(`PROPFIND Depth 1, ${ENTRIES} entries, allprop (median of ${PROPFIND_RUNS}, ms)`, median(r.T.allprop.map((x) => x.ms)), median(r.A.allprop.map((x) => x.ms)), true, ms);
  row(`${SMALL} PUTs of 1 KiB, wall (median of ${ROUNDS}, ms)`, median(r.T.small), median(r.A.small), true, ms);
  row(`${ENTRIES} PUTs of ~12 B (populating, ms)`, r.T.populate, r.A.populate, true, ms);
  row(`PUT ${BIG_MIB} MiB (median of ${ROUNDS}, MiB/s)`, mibps(median(r.T.bigPut)), mibps(median(r.A.bigPut)), false, mb);
  row(`GET ${BIG_MIB} MiB, SHA-256 checked (median of ${ROUNDS}, MiB/s)`, mibps(median(r.T.bigGet)), mibps(median(r.A.bigGet)), false, mb);
  row('peak memory (MB): Tessera VmHWM / Apache peak Σ VmRSS', r.T.hwmKb / 1024, A.peak.rssKb / 1024, true, mb);
  row('peak memory (MB): Σ PSS sampled every 100 ms', T.peak.pssKb / 1024, A.peak.pssKb / 1024, true, mb);

  const header = ['figure', 'Tessera', apacheVersion, 'ratio T/A', 'better', 'faster / leaner'];
  const widths = header.map((hd, i) => Math.max(hd.length, ...rows.map((x) => x[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log('');
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const x of rows) console.log(line(x));
  console.log('');
  console.log(
    `PROPFIND answer size: Tessera ${(r.T.prop[0].bytes / 1e6).toFixed(2)} MB (prop) / ${(r.T.allprop[0].bytes / 1e6).toFixed(2)} MB (allprop), ` +
      `Apache ${(r.A.prop[0].bytes / 1e6).toFixed(2)} MB / ${(r.A.allprop[0].bytes / 1e6).toFixed(2)} MB. ` +
      `Apache processes at peak: ${A.peak.processes}; Tessera sampled peak Σ VmRSS ${(T.peak.rssKb / 1024).toFixed(1)} MB.`,
  );
  console.log('Server CPU seconds / wall seconds per phase (CPU ≈ wall: the server is busy on one core; > wall: on both):');
  for (const name of Object.keys(cpu.T)) {
    const f = (x) => `${x.cpu.toFixed(2)} / ${x.wall.toFixed(2)}`;
    console.log(`  ${name.padEnd(22)} Tessera ${f(cpu.T[name]).padEnd(16)} Apache ${f(cpu.A[name])}`);
  }
  console.log(`Load average at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${load1.map((l) => l.toFixed(2)).join(' ')}.`);
  const wins = rows.filter((x) => x[5] === 'Tessera').length;
  console.log(`Target: Tessera better than Apache on every figure — met on ${wins} of ${rows.length}.`);
} catch (e) {
  console.error(`bench/files failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
