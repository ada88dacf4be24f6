import type { Command } from 'commander';
import type { IdentityService, UserView } from '../../modules/identity/types.js';
import { CliError, EXIT_USAGE } from '../errors.js';
import { withServices } from '../context.js';
import { printTable, readStdin } from '../io.js';

interface AddOptions {
  email: string;
  name: string;
  admin?: boolean;
  passwordStdin?: boolean;
}

export async function userByName(service: IdentityService, username: string): Promise<UserView> {
  const user = await service.findUser(username);
  if (!user) throw new CliError(`No user named ${username}.`);
  return user;
}

async function passwordFromStdin(enabled: boolean | undefined): Promise<string | undefined> {
  if (!enabled) return undefined;
  const password = await readStdin();
  if (!password) throw new CliError('--password-stdin was given but standard input was empty.', EXIT_USAGE);
  return password;
}

async function allUsers(service: IdentityService): Promise<UserView[]> {
  const users: UserView[] = [];
  for (;;) {
    const page = await service.listUsers({ limit: 500, offset: users.length });
    users.push(...page.users);
    if (page.users.length === 0 || users.length >= page.total) return users;
  }
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage people');

  user
    .command('add <username>')
    .description('create an account; prints the generated password unless --password-stdin is given')
    .requiredOption('--email <email>', 'e-mail address')
    .requiredOption('--name <displayName>', 'display name')
    .option('--admin', 'make the account an administrator')
    .option('--password-stdin', 'read the initial password from standard input')
    .action(async (username: string, opts: AddOptions) => {
      const password = await passwordFromStdin(opts.passwordStdin);
      await withServices(async ({ identity, actor }) => {
        const { user: created, initialPassword } = await identity.service.createUser(
          { username, email: opts.email, displayName: opts.name, isAdmin: opts.admin ?? false, ...(password ? { password } : {}) },
          actor,
        );
        process.stdout.write(`Created user ${created.username} (${created.id})${created.isAdmin ? ' as administrator' : ''}.\n`);
        if (initialPassword) process.stdout.write(`Initial password: ${initialPassword}\n`);
      });
    });

  user
    .command('list')
    .description('list every account')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withServices(async ({ identity }) => {
        const users = await allUsers(identity.service);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ users }, null, 2) + '\n');
          return;
        }
        printTable([
          ['USERNAME', 'EMAIL', 'NAME', 'ADMIN', 'STATUS', '2FA'],
          ...users.map((u) => [u.username, u.email, u.displayName, u.isAdmin ? 'yes' : 'no', u.status, u.totpEnabled || u.webauthnCount > 0 ? 'yes' : 'no']),
        ]);
      });
    });

  user
    .command('disable <username>')
    .description('disable an account: ends its sessions, app passwords stop working')
    .action(async (username: string) => {
      await withServices(async ({ identity, actor }) => {
        const u = await identity.service.disableUser((await userByName(identity.service, username)).id, actor);
        process.stdout.write(`User ${u.username} is disabled.\n`);
      });
    });

  user
    .command('enable <username>')
    .description('enable a disabled account')
    .action(async (username: string) => {
      await withServices(async ({ identity, actor }) => {
        const u = await identity.service.enableUser((await userByName(identity.service, username)).id, actor);
        process.stdout.write(`User ${u.username} is enabled.\n`);
      });
    });

  user
    .command('reset-password <username>')
    .description('set a new password (generated and printed unless --password-stdin is given)')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (username: string, opts: { passwordStdin?: boolean }) => {
      const password = await passwordFromStdin(opts.passwordStdin);
      await withServices(async ({ identity, actor }) => {
        const u = await userByName(identity.service, username);
        const next = await identity.service.resetPassword(u.id, password, actor);
        process.stdout.write(password ? `Password of ${u.username} changed.\n` : `New password for ${u.username}: ${next}\n`);
      });
    });
}
