import type { Command } from 'commander';
import { configOrExit } from '../context.js';

/** Runs the server until SIGTERM/SIGINT, then closes listeners, modules and connections in order. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the Tessera server (configuration from TESSERA_* variables and TESSERA_CONFIG_FILE)')
    .action(async () => {
      const config = configOrExit();
      const { startServer } = await import('../../server/main.js');
      const server = await startServer(config);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) return;
          stopping = true;
          server.platform.log.info({ signal }, 'shutting down');
          // A hung close must not keep the process alive forever; the supervisor expects it to exit.
          const force = setTimeout(() => {
            server.platform.log.error('shutdown took longer than 15 s; exiting anyway');
            process.exit(1);
          }, 15_000);
          force.unref();
          server
            .close()
            .then(() => server.platform.log.info('stopped'))
            .catch((e: unknown) => server.platform.log.error({ err: e }, 'error during shutdown'))
            .finally(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
