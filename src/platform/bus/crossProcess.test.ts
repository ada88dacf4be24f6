import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config/config.js';
import { migrate } from '../db/migrations.js';
import { platformMigrations } from '../db/platformMigrations.js';
import { createPlatform, type Platform } from '../platform.js';
import { STACK, testConfig } from '../../test-support/stack.js';

const PEER = fileURLToPath(new URL('./testing/peerProcess.ts', import.meta.url));

/** The settings that make a second process share this one's database, Redis and blobs. */
function sharedSettings(config: Config): Record<string, string | number | boolean> {
  const b = config.blobs;
  const blobs =
    b.kind === 'file'
      ? `file:${b.path}`
      : `s3://${b.bucket}/${b.prefix}?endpoint=${encodeURIComponent(b.endpoint ?? '')}&region=${b.region}&forcePathStyle=${b.forcePathStyle}`;
  return {
    dataDir: config.dataDir,
    databaseUrl: config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : config.database.url,
    blobs,
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    ...(b.kind === 's3' ? { s3AccessKeyId: b.accessKeyId ?? '', s3SecretAccessKey: b.secretAccessKey ?? '' } : {}),
    secret: config.secret ?? '',
    logLevel: 'warn',
    runJobs: false,
  };
}

describe(`two Tessera processes on one ${STACK} stack`, () => {
  const suffix = randomBytes(4).toString('hex');
  const topic = (t: string) => `peer.${t}.${suffix}`;
  let platform: Platform;
  let peer: ChildProcess;
  const peerJobs: unknown[] = [];
  const busReady: unknown[] = [];
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    const config = await testConfig();
    platform = await createPlatform(config);
    await migrate(platform.database, [platformMigrations]);
    platform.jobs.define('peer.job', { handler: async (payload) => void peerJobs.push(payload) });
    const sub = platform.bus.subscribe(topic('ready'), (p) => busReady.push(p));
    await sub.ready;
    platform.jobs.start();

    peer = spawn(process.execPath, ['--import', 'tsx', PEER], {
      env: { ...process.env, TESSERA_PEER_CONFIG: JSON.stringify(sharedSettings(config)), TESSERA_PEER_TOPIC: suffix },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    peer.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    peer.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => stdout.includes('ready'), 30_000, () => `peer did not start: ${stderr}`);
  }, 60_000);

  afterAll(async () => {
    if (peer && peer.exitCode === null) {
      const exited = new Promise((r) => peer.once('exit', r));
      peer.stdin!.end();
      await exited;
    }
    await platform?.close();
  });

  it('a job enqueued by the other process runs in this one', async () => {
    await waitFor(() => peerJobs.length > 0, 10_000, () => 'the peer job never ran here');
    expect(peerJobs).toEqual([{ pid: peer.pid }]);
    expect(peer.pid).not.toBe(process.pid);
  });

  it(STACK === 'server' ? 'events cross between the processes through Redis' : 'in-memory events stay inside their process', async () => {
    expect(stdout).toContain(STACK === 'server' ? 'ready redis' : 'ready memory');
    if (STACK === 'embedded') {
      // The peer published `ready` on its own in-memory bus; nothing here may see it.
      expect(busReady).toEqual([]);
      return;
    }
    await waitFor(() => busReady.length > 0, 5000, () => 'the peer’s ready event never arrived');
    expect(busReady).toEqual([{ pid: peer.pid }]);
    const pongs: unknown[] = [];
    const sub = platform.bus.subscribe(topic('pong'), (p) => pongs.push(p));
    await sub.ready;
    await platform.bus.publish(topic('ping'), { n: 42 });
    await waitFor(() => pongs.length > 0, 5000, () => 'no pong from the peer');
    expect(pongs).toEqual([{ pid: peer.pid, echo: { n: 42 } }]);
    sub();
  });

  it('the other process shuts down cleanly when asked', async () => {
    const exited = new Promise<number | null>((r) => peer.once('exit', (code) => r(code)));
    peer.stdin!.end();
    expect(await exited).toBe(0);
  });
});

async function waitFor(cond: () => boolean, ms: number, why: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 20));
  }
}
