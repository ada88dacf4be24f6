import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { withServices } from '../context.js';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('check the whole hash chain; exit 1 and list every problem when it is broken')
    .action(async () => {
      await withServices(async ({ platform }) => {
        const result = await platform.audit.verify();
        if (result.ok) {
          process.stdout.write(`Audit log intact: ${result.checked} entries checked.\n`);
          return;
        }
        for (const p of result.problems) process.stdout.write(`entry ${p.seq}: ${p.problem}\n`);
        throw new CliError(`Audit log NOT intact: ${result.problems.length} problem(s) in ${result.checked} entries.`);
      });
    });
}
