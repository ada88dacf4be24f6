import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSandbox } from './netSandbox.js';

/** Exit 0 if it connects to 127.0.0.1:<port>, 3 (printing the error code) if not. */
const probe = (port: number) => [
  '-e',
  `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', (e) => { console.log(e.code); process.exit(3); })`,
];

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 15_000 }, (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, out: stdout }));
    child.stdin?.end();
  });
}

describe('LibreOffice runs without network', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a process started through the sandbox cannot reach even loopback; the same one outside can', async () => {
    const outside = await run(process.execPath, probe(port));
    expect(outside.code).toBe(0);
    expect(connections).toBe(1);

    const wrapped = await createNetSandbox().wrap(process.execPath, probe(port));
    // This host (and CI) has util-linux unshare and user namespaces; without them office previews
    // would run with network access, which the admin status reports.
    expect(wrapped, 'unshare with user and network namespaces must work here').not.toBeNull();
    const inside = await run(wrapped!.cmd, wrapped!.args);
    expect(inside.code).toBe(3);
    expect(inside.out.trim()).toMatch(/ENETUNREACH|ECONNREFUSED|EACCES/);
    expect(connections).toBe(1);
  });

  it('a host without unshare gets null (conversions then run as before, and the status says so)', async () => {
    expect(await createNetSandbox('/nonexistent/unshare').wrap('soffice', ['--version'])).toBeNull();
  });
});
