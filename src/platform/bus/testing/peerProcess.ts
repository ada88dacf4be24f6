/**
 * A second Tessera process for the cross-process test: it opens a full platform on the settings
 * it is given (same database, Redis and blob store as the test) and then:
 * - enqueues `peer.job` in the shared database, which the test's own worker must run;
 * - answers `ping` with `pong` over the bus (reaching the test only through Redis);
 * - publishes `ready` on the bus and prints `ready` on stdout;
 * - closes the platform and exits when its stdin ends.
 */
import { loadConfig } from '../../config/config.js';
import { createPlatform } from '../../platform.js';

const overrides = JSON.parse(process.env.TESSERA_PEER_CONFIG ?? '{}') as Record<string, string | number | boolean>;
const suffix = process.env.TESSERA_PEER_TOPIC ?? '';
const platform = await createPlatform(loadConfig({}, overrides as never));
const topic = (t: string) => `peer.${t}.${suffix}`;

await platform.jobs.enqueue('peer.job', { pid: process.pid });
const ping = platform.bus.subscribe(topic('ping'), (payload) => {
  void platform.bus.publish(topic('pong'), { pid: process.pid, echo: payload });
});
await ping.ready;
await platform.bus.publish(topic('ready'), { pid: process.pid });
process.stdout.write(`ready ${platform.bus.kind}\n`);

process.stdin.resume();
process.stdin.on('end', () => {
  void platform.close().then(() => process.exit(0));
});
