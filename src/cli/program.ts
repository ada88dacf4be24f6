import { Command, CommanderError } from 'commander';
import { VERSION } from '../platform/platform.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUserCommands } from './commands/user.js';
import { registerGroupCommands } from './commands/group.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerBackupCommand } from './commands/backup.js';

export function buildProgram(): Command {
  const program = new Command('tessera')
    .description('Tessera, a sovereign digital workplace')
    .version(VERSION)
    .option('-c, --config <file>', 'JSON configuration file (same as TESSERA_CONFIG_FILE)')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (cmd) => {
      const file = cmd.opts<{ config?: string }>().config;
      if (file) process.env.TESSERA_CONFIG_FILE = file;
    });
  registerServeCommand(program);
  registerUserCommands(program);
  registerGroupCommands(program);
  registerAuditCommands(program);
  registerDoctorCommand(program);
  registerBackupCommand(program);
  // Subcommands inherit exitOverride only when set before they are created, so apply it to all.
  const applyAll = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(applyAll);
  };
  applyAll(program);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 bad usage or configuration. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
      // Commander already printed its message.
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      process.stderr.write(e.message + '\n');
      return e.exitCode;
    }
    process.stderr.write(`Error: ${(e as Error).message ?? String(e)}\n`);
    return EXIT_FAILURE;
  }
}
