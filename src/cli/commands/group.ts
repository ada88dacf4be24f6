import type { Command } from 'commander';
import type { GroupView, IdentityService } from '../../modules/identity/types.js';
import { CliError } from '../errors.js';
import { withServices } from '../context.js';
import { printTable } from '../io.js';
import { userByName } from './user.js';

async function groupByName(service: IdentityService, name: string): Promise<GroupView> {
  const group = (await service.listGroups()).find((g) => g.name === name);
  if (!group) throw new CliError(`No group named ${name}.`);
  return group;
}

/** `alice` names a person, `@staff` a group (so a group can be nested in another). */
async function memberOf(service: IdentityService, ref: string): Promise<{ type: 'user' | 'group'; id: string; label: string }> {
  if (ref.startsWith('@')) {
    const g = await groupByName(service, ref.slice(1));
    return { type: 'group', id: g.id, label: `group ${g.name}` };
  }
  const u = await userByName(service, ref);
  return { type: 'user', id: u.id, label: `user ${u.username}` };
}

export function registerGroupCommands(program: Command): void {
  const group = program.command('group').description('manage groups');

  group
    .command('add <name>')
    .description('create a group')
    .option('--display-name <displayName>', 'display name (defaults to the name)')
    .option('--require-2fa', 'members must use two-factor authentication')
    .action(async (name: string, opts: { displayName?: string; require2fa?: boolean }) => {
      await withServices(async ({ identity, actor }) => {
        const g = await identity.service.createGroup({ name, displayName: opts.displayName ?? name, require2fa: opts.require2fa ?? false }, actor);
        process.stdout.write(`Created group ${g.name} (${g.id})${g.require2fa ? ', 2FA required' : ''}.\n`);
      });
    });

  group
    .command('list')
    .description('list groups')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withServices(async ({ identity }) => {
        const groups = await identity.service.listGroups();
        if (opts.json) {
          process.stdout.write(JSON.stringify({ groups }, null, 2) + '\n');
          return;
        }
        printTable([['NAME', 'DISPLAY NAME', 'MEMBERS', '2FA'], ...groups.map((g) => [g.name, g.displayName, String(g.memberCount), g.require2fa ? 'required' : '-'])]);
      });
    });

  group
    .command('add-member <group> <member>')
    .description('add a person (username) or a group (@name) to a group')
    .action(async (groupName: string, ref: string) => {
      await withServices(async ({ identity, actor }) => {
        const g = await groupByName(identity.service, groupName);
        const m = await memberOf(identity.service, ref);
        await identity.service.addGroupMember(g.id, { type: m.type, id: m.id }, actor);
        process.stdout.write(`Added ${m.label} to ${g.name}.\n`);
      });
    });

  group
    .command('remove-member <group> <member>')
    .description('remove a person (username) or a group (@name) from a group')
    .action(async (groupName: string, ref: string) => {
      await withServices(async ({ identity, actor }) => {
        const g = await groupByName(identity.service, groupName);
        const m = await memberOf(identity.service, ref);
        await identity.service.removeGroupMember(g.id, { type: m.type, id: m.id }, actor);
        process.stdout.write(`Removed ${m.label} from ${g.name}.\n`);
      });
    });
}
