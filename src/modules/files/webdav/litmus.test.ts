import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/identity.js';
import { davUser, type DavUser } from '../testing/fixtures.js';

const run = promisify(execFile);

describe('litmus, the WebDAV compliance suite', () => {
  let ts: TestServer;
  let alice: DavUser;

  beforeAll(async () => {
    ts = await startTestServer();
    alice = await davUser(ts, { username: 'alice' });
  });
  afterAll(async () => {
    await ts.close();
  });

  it('passes basic, copymove, props, locks and http', async () => {
    // `--`: an app password may start with "-", which litmus would take for an option.
    const { stdout } = await run('litmus', ['--', alice.davUrl, alice.user.username, alice.appPassword], {
      env: { ...process.env, TESTS: 'basic copymove props locks http' },
      timeout: 60_000,
      maxBuffer: 4 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}\n${e.stderr ?? ''}` }));
    const summaries = [...stdout.matchAll(/<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/g)].map((m) => ({
      suite: m[1],
      run: Number(m[2]),
      passed: Number(m[3]),
      failed: Number(m[4]),
    }));
    const failures = stdout.split('\n').filter((l) => /FAIL|SKIPPED/.test(l));
    expect(failures, stdout).toEqual([]);
    expect(summaries.map((s) => s.suite)).toEqual(['basic', 'copymove', 'props', 'locks', 'http']);
    for (const s of summaries) expect(s.failed, stdout).toBe(0);
    const warnings = stdout.split('\n').filter((l) => l.includes('WARNING'));
    // Warnings are allowed by litmus; they are printed so a change in them is noticed.
    if (warnings.length) console.log(`litmus warnings:\n${warnings.join('\n')}`);
  }, 90_000);
});
