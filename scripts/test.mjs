#!/usr/bin/env node
// The whole test suite: build, unit+integration on the embedded stack, again on the server stack
// when its servers are named, then the browser journeys. Prints one closing "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const results = { passed: 0, failed: 0 };
const failures = [];
const out = mkdtempSync(join(tmpdir(), 'tessera-test-results-'));

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: exit ${r.status} in ${Math.round((Date.now() - started) / 1000)} s`);
  return r.status === 0;
}

function vitest(label, args, env = {}) {
  const file = join(out, `${label.replace(/\W+/g, '-')}.json`);
  const ok = run(label, 'npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`], env);
  if (existsSync(file)) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    results.passed += report.numPassedTests ?? 0;
    results.failed += report.numFailedTests ?? 0;
    if (!ok && (report.numFailedTests ?? 0) === 0) results.failed += 1; // a suite that failed to load
  } else if (!ok) {
    results.failed += 1;
  }
  if (!ok) failures.push(label);
}

if (!run('build', 'npm', ['run', 'build', '--silent'])) {
  console.error('\nThe build failed; nothing was tested.');
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

// The WebDAV tests drive real clients (litmus, cadaver, rclone) from Debian's packages.
if (!run('test tools', 'bash', ['scripts/ensure-test-tools.sh'])) {
  console.error('\nlitmus, cadaver, rclone (WebDAV tests) and LibreOffice (preview tests) are needed; install them and run again.');
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

vitest('embedded stack', []);

const dbUrl = process.env.TESSERA_TEST_DATABASE_URL;
const redisUrl = process.env.TESSERA_TEST_REDIS_URL;
if (dbUrl || redisUrl) {
  // Once pointed at servers, an unreachable one fails the run (globalSetup checks), never skips.
  vitest('server stack', [], { TESSERA_TEST_STACK: 'server' });
} else {
  console.log('\n(server stack not run: set TESSERA_TEST_DATABASE_URL and TESSERA_TEST_REDIS_URL to run it against PostgreSQL, Redis and S3)');
}

if (process.env.TESSERA_SKIP_E2E === '1') {
  console.log('\n(browser journeys not run: TESSERA_SKIP_E2E=1)');
} else if (run('chromium', 'bash', ['scripts/ensure-chromium.sh'])) {
  vitest('browser journeys', ['--config', 'test/e2e/vitest.config.ts']);
} else {
  failures.push('chromium');
  results.failed += 1;
}

// The reports were only read for the counts above.
rmSync(out, { recursive: true, force: true });
console.log(failures.length ? `\nFailed: ${failures.join(', ')}` : '\nAll test runs passed.');
console.log(`\n${results.passed} passed, ${results.failed} failed`);
process.exit(failures.length ? 1 : 0);
