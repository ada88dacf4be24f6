/**
 * A Tessera server in its own process, for the crash test: it reads its Config as JSON from
 * TESSERA_CHILD_CONFIG, listens, prints its URL on stdout and runs until it is killed.
 */
import { pino } from 'pino';
import type { Config } from '../../../platform/config/config.js';
import { startServer } from '../../../server/main.js';

const config = JSON.parse(process.env.TESSERA_CHILD_CONFIG ?? 'null') as Config;
const server = await startServer(config, { logger: pino({ level: 'error' }) });
process.stdout.write(`${server.url}\n`);
