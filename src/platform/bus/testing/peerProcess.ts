/**
 * A second Tessera process for the cross-process test: it opens a full platform on the settings
 * it is given (same database, Redis and blob store as the test) and then:
 * - enqueues `peer.job` in the shared database, which the test's own worker must run;
 * - answers `ping` with `pong` over the bus (reaching the test only through Redis);
 * - with TESSERA_PEER_PUBLISH ({ "topic", "payload" }) publishes that message too, so a test can have
 *   another process send a module's own message (TESSERA_PEER_NO_JOB=1 then skips the job, for a
 *   test server that runs jobs but has no `peer.job` handler);
 * - publishes `ready` on the bus and prints `ready` on stdout;
 * - closes the platform and exits when its stdin ends.
 */
import { loadConfig } from '../../config/config.js';
import { createPlatform } from '../../platform.js';

const overrides = JSON.parse(process.env.TESSERA_PEER_CONFIG ?? '{}') as Record<string, string | number | boolean>;
const suffix = process.env.TESSERA_PEER_TOPIC ?? '';
const platform = await createPlatform(loadConfig({}, overrides as never));
const topic = (t: string) => `peer.${t}.${suffix}`;

if (process.env.TESSERA_PEER_NO_JOB !== '1') await platform.jobs.enqueue('peer.job', { pid: process.pid });
const ping = platform.bus.subscribe(topic('ping'), (payload) => {
  void platform.bus.publish(topic('pong'), { pid: process.pid, echo: payload });
});
await ping.ready;
const extra = process.env.TESSERA_PEER_PUBLISH;
if (extra) {
  const message = JSON.parse(extra) as { topic: string; payload: unknown };
  await platform.bus.publish(message.topic, message.payload);
}
await platform.bus.publish(topic('ready'), { pid: process.pid });
process.stdout.write(`ready ${platform.bus.kind}\n`);

process.stdin.resume();
process.stdin.on('end', () => {
  void platform.close().then(() => process.exit(0));
});
