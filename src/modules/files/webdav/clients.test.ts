import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/identity.js';
import { tempDir } from '../../../test-support/stack.js';
import { davUser, type DavUser } from '../testing/fixtures.js';

const run = promisify(execFile);

describe('WebDAV clients: rclone and cadaver', () => {
  let ts: TestServer;
  let alice: DavUser;

  beforeAll(async () => {
    ts = await startTestServer();
    alice = await davUser(ts, { username: 'alice' });
  });
  afterAll(async () => {
    await ts.close();
  });

  it('rclone copies a tree up and back unchanged', async () => {
    const work = tempDir('tessera-rclone-');
    const src = join(work, 'src');
    mkdirSync(join(src, 'nested', 'déjà vu'), { recursive: true });
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('hello'),
      'nested/b.bin': Buffer.alloc(300_000, 9),
      'nested/déjà vu/c # d.txt': Buffer.from('unicode and a hash'),
      'empty.txt': Buffer.alloc(0),
    };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(src, name), body);
    // `--`: an app password may start with "-", which rclone would take for a flag (one run in 64).
    const { stdout: obscured } = await run('rclone', ['obscure', '--', alice.appPassword]);
    const env = {
      ...process.env,
      RCLONE_CONFIG: join(work, 'none.conf'),
      RCLONE_CONFIG_T_TYPE: 'webdav',
      RCLONE_CONFIG_T_URL: alice.davUrl,
      RCLONE_CONFIG_T_VENDOR: 'other',
      RCLONE_CONFIG_T_USER: alice.user.username,
      RCLONE_CONFIG_T_PASS: obscured.trim(),
    };
    await run('rclone', ['copy', src, 'T:backup'], { env, timeout: 30_000 });
    const { stdout: listing } = await run('rclone', ['lsf', '-R', 'T:backup'], { env, timeout: 30_000 });
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(['a.txt', 'empty.txt', 'nested/', 'nested/b.bin', 'nested/déjà vu/', 'nested/déjà vu/c # d.txt'].sort());
    await run('rclone', ['check', src, 'T:backup'], { env, timeout: 30_000 });
    const back = join(work, 'back');
    await run('rclone', ['copy', 'T:backup', back], { env, timeout: 30_000 });
    for (const [name, body] of Object.entries(files)) expect(readFileSync(join(back, name)).equals(body), name).toBe(true);
    // A moved file is where rclone put it, and gone from where it was.
    await run('rclone', ['moveto', 'T:backup/a.txt', 'T:backup/nested/a-moved.txt'], { env, timeout: 30_000 });
    const { stdout: cat } = await run('rclone', ['cat', 'T:backup/nested/a-moved.txt'], { env, timeout: 30_000 });
    expect(cat).toBe('hello');
    await run('rclone', ['purge', 'T:backup'], { env, timeout: 30_000 });
    const { stdout: top } = await run('rclone', ['lsf', 'T:'], { env, timeout: 30_000 });
    expect(top.trim()).toBe('');
  }, 60_000);

  it('cadaver makes a folder, uploads, lists, downloads and moves', async () => {
    const work = tempDir('tessera-cadaver-');
    writeFileSync(join(work, '.netrc'), `machine 127.0.0.1\nlogin ${alice.user.username}\npassword ${alice.appPassword}\n`, { mode: 0o600 });
    writeFileSync(join(work, 'up.txt'), 'uploaded by cadaver\n');
    const script = ['mkcol docs', 'put up.txt docs/up.txt', 'ls docs', 'get docs/up.txt down.txt', 'move docs/up.txt docs/renamed.txt', 'ls docs', 'quit', ''].join('\n');
    const child = execFile('cadaver', [alice.davUrl], { cwd: work, env: { ...process.env, HOME: work }, timeout: 30_000 });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin?.end(script);
    await new Promise((resolve) => child.on('close', resolve));
    expect(readFileSync(join(work, 'down.txt'), 'utf8'), out).toBe('uploaded by cadaver\n');
    expect(out).toContain('renamed.txt');
    const res = await fetch(`${alice.davUrl}docs/renamed.txt`, { headers: { authorization: alice.auth } });
    expect(await res.text()).toBe('uploaded by cadaver\n');
    expect((await fetch(`${alice.davUrl}docs/up.txt`, { headers: { authorization: alice.auth } })).status).toBe(404);
  }, 40_000);
});
