import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/identity.js';
import { tempDir } from '../../../test-support/stack.js';
import type { FilesModule } from '../module.js';
import { davUser, type DavUser } from '../testing/fixtures.js';

const run = promisify(execFile);

describe('WebDAV clients in /dav/shared/<username>/: rclone and cadaver', () => {
  let ts: TestServer;
  let alice: DavUser;
  let bob: DavUser;
  let sharedUrl: string;

  const dav = (u: DavUser, method: string, path: string, body?: string) => fetch(`${ts.url}${path}`, { method, headers: { authorization: u.auth }, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    ts = await startTestServer();
    alice = await davUser(ts, { username: 'alice' });
    bob = await davUser(ts, { username: 'bob' });
    sharedUrl = `${ts.url}/dav/shared/bob/`;
    for (const dir of ['Team', 'Handouts']) expect((await dav(alice, 'MKCOL', `/dav/files/alice/${dir}`)).status).toBe(201);
    expect((await dav(alice, 'PUT', '/dav/files/alice/Team/notes.txt', 'team notes')).status).toBe(201);
    expect((await dav(alice, 'PUT', '/dav/files/alice/Handouts/slides.txt', 'slides')).status).toBe(201);
    const files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
    const space = await files.service.personalSpace(alice.user);
    for (const [name, role] of [
      ['Team', 'edit'],
      ['Handouts', 'view'],
    ] as const) {
      const node = await files.service.resolvePath(space, [name]);
      await files.service.createShare({ user: alice.user }, node!.id, { grantee: { type: 'user', login: 'bob' }, role });
    }
  });
  afterAll(async () => {
    await ts.close();
  });

  it('rclone: round trip in an edit share, downloads only from a view share', async () => {
    const work = tempDir('tessera-rclone-shared-');
    const src = join(work, 'src');
    mkdirSync(join(src, 'deep'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'from bob');
    writeFileSync(join(src, 'deep', 'b.bin'), Buffer.alloc(200_000, 3));
    // `--`: an app password may start with "-", which rclone would take for a flag (one run in 64).
    const { stdout: obscured } = await run('rclone', ['obscure', '--', bob.appPassword]);
    const env = {
      ...process.env,
      RCLONE_CONFIG: join(work, 'none.conf'),
      RCLONE_CONFIG_S_TYPE: 'webdav',
      RCLONE_CONFIG_S_URL: sharedUrl,
      RCLONE_CONFIG_S_VENDOR: 'other',
      RCLONE_CONFIG_S_USER: 'bob',
      RCLONE_CONFIG_S_PASS: obscured.trim(),
    };
    const rclone = (...args: string[]) => run('rclone', ['--retries', '1', '--low-level-retries', '1', ...args], { env, timeout: 30_000 });

    expect((await rclone('lsf', 'S:')).stdout.split('\n').filter(Boolean).sort()).toEqual(['Handouts/', 'Team/']);
    // Edit share: upload, check, download, mkdir, delete.
    await rclone('copy', src, 'S:Team/up');
    await rclone('check', src, 'S:Team/up');
    expect((await dav(alice, 'GET', '/dav/files/alice/Team/up/a.txt').then((r) => r.text()))).toBe('from bob');
    const back = join(work, 'back');
    await rclone('copy', 'S:Team', back);
    expect(readFileSync(join(back, 'notes.txt'), 'utf8')).toBe('team notes');
    expect(readFileSync(join(back, 'up', 'deep', 'b.bin')).equals(Buffer.alloc(200_000, 3))).toBe(true);
    await rclone('mkdir', 'S:Team/made-by-rclone');
    const made = await fetch(`${ts.url}/dav/files/alice/Team/made-by-rclone/`, { method: 'PROPFIND', headers: { authorization: alice.auth, depth: '0' } });
    expect(made.status).toBe(207);
    await rclone('deletefile', 'S:Team/up/a.txt');
    await rclone('purge', 'S:Team/up');
    expect((await rclone('lsf', 'S:Team')).stdout.split('\n').filter(Boolean).sort()).toEqual(['made-by-rclone/', 'notes.txt']);
    expect((await dav(alice, 'GET', '/dav/files/alice/Team/up/a.txt')).status).toBe(404);

    // View share: downloads work, uploads are refused and leave nothing behind.
    const handouts = join(work, 'handouts');
    await rclone('copy', 'S:Handouts', handouts);
    expect(readFileSync(join(handouts, 'slides.txt'), 'utf8')).toBe('slides');
    await expect(rclone('copyto', join(src, 'a.txt'), 'S:Handouts/a.txt')).rejects.toThrow();
    await expect(rclone('copyto', join(src, 'a.txt'), 'S:new-at-top.txt')).rejects.toThrow();
    expect((await rclone('lsf', 'S:Handouts')).stdout.trim()).toBe('slides.txt');
    expect((await rclone('lsf', 'S:')).stdout.split('\n').filter(Boolean).sort()).toEqual(['Handouts/', 'Team/']);
  }, 90_000);

  it('cadaver: lists the shares, works in an edit share, is refused uploads in a view share', async () => {
    const work = tempDir('tessera-cadaver-shared-');
    writeFileSync(join(work, '.netrc'), `machine 127.0.0.1\nlogin bob\npassword ${bob.appPassword}\n`, { mode: 0o600 });
    writeFileSync(join(work, 'up.txt'), 'uploaded by cadaver\n');
    const script = [
      'ls',
      'cd Team',
      'mkcol cad',
      'put up.txt cad/up.txt',
      'get cad/up.txt down.txt',
      'put up.txt gone.txt',
      'delete gone.txt',
      'ls cad',
      'cd ../Handouts',
      'get slides.txt slides.txt',
      'put up.txt refused.txt',
      'quit',
      '',
    ].join('\n');
    const child = execFile('cadaver', [sharedUrl], { cwd: work, env: { ...process.env, HOME: work }, timeout: 30_000 });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin?.end(script);
    await new Promise((resolve) => child.on('close', resolve));
    expect(out).toContain('Team');
    expect(out).toContain('Handouts');
    expect(readFileSync(join(work, 'down.txt'), 'utf8'), out).toBe('uploaded by cadaver\n');
    expect(readFileSync(join(work, 'slides.txt'), 'utf8'), out).toBe('slides');
    expect(out).toMatch(/403/);
    expect(await (await dav(alice, 'GET', '/dav/files/alice/Team/cad/up.txt')).text()).toBe('uploaded by cadaver\n');
    expect((await dav(alice, 'GET', '/dav/files/alice/Team/gone.txt')).status).toBe(404);
    expect((await dav(alice, 'GET', '/dav/files/alice/Handouts/refused.txt')).status).toBe(404);
  }, 40_000);
});
