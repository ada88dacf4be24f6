import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../../test-support/stack.js';

/** The EICAR anti-virus test file: harmless, recognised by every scanner as a test signature. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
// clamd marks signatures from unsigned databases as unofficial.
export const EICAR_SIGNATURE = 'Tessera.Test.EICAR.UNOFFICIAL';

export interface TestClamd {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Debian's real clamd in the foreground, on a loopback port, with a one-line signature database
 * of our own (no downloaded definitions exist here): the MD5 of the EICAR file (.hdb).
 */
export async function startClamd(opts: { streamMaxLength?: string } = {}): Promise<TestClamd> {
  const dir = tempDir('tessera-clamd-');
  const db = join(dir, 'db');
  mkdirSync(db);
  const md5 = createHash('md5').update(EICAR).digest('hex');
  writeFileSync(join(db, 'tessera-test.hdb'), `${md5}:${Buffer.byteLength(EICAR)}:Tessera.Test.EICAR\n`);
  const port = await freePort();
  const config = [
    'Foreground yes',
    `DatabaseDirectory ${db}`,
    'TCPAddr 127.0.0.1',
    `TCPSocket ${port}`,
    `StreamMaxLength ${opts.streamMaxLength ?? '10M'}`,
    `PidFile ${join(dir, 'clamd.pid')}`,
    `TemporaryDirectory ${dir}`,
    'LogVerbose no',
  ];
  // No `User` line: clamd then keeps the identity it was started with (root in CI containers too),
  // so it can read the temp folder this test wrote.
  writeFileSync(join(dir, 'clamd.conf'), config.join('\n') + '\n');
  const child = spawn('clamd', ['-c', join(dir, 'clamd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`clamd did not start (is clamav-daemon installed? scripts/ensure-test-tools.sh): ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `tcp://127.0.0.1:${port}`, port, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
