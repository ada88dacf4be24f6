import { randomUUID } from 'node:crypto';
import { now, type Tx } from '../../../platform/db/database.js';
import { ConflictError, NotFoundError } from '../../../platform/errors.js';
import { parse } from '../../../platform/http/validate.js';
import { presentGroup } from '../presenters.js';
import { descriptionRule, displayNameRule, groupNameRule } from '../rules.js';
import type { GroupRow } from '../tables.js';
import type { Actor, GroupView } from '../types.js';
import { auditBy, type IdentityContext } from './context.js';
import { forgetVerified } from './verifiedCache.js';
import { effectiveGroups, wouldCycle } from './membership.js';

export interface GroupMemberView {
  type: 'user' | 'group';
  id: string;
  name: string;
}

export interface GroupDetail extends GroupView {
  members: GroupMemberView[];
}

async function requireGroup(ctx: IdentityContext, id: string, tx?: Tx): Promise<GroupRow> {
  const row = await ctx.store.groupById(id, tx);
  if (!row) throw new NotFoundError('This group does not exist (any more).');
  return row;
}

export async function listGroups(ctx: IdentityContext): Promise<GroupView[]> {
  const [rows, counts] = await Promise.all([ctx.store.listGroups(), ctx.store.memberCounts()]);
  return rows.map((r) => presentGroup(r, counts.get(r.id) ?? 0));
}

export async function groupDetail(ctx: IdentityContext, id: string): Promise<GroupDetail> {
  const row = await requireGroup(ctx, id);
  const members = await ctx.store.membersOf(id);
  const userNames = await ctx.store.namesOf('user', members.filter((m) => m.member_type === 'user').map((m) => m.member_id));
  const groupNames = await ctx.store.namesOf('group', members.filter((m) => m.member_type === 'group').map((m) => m.member_id));
  return {
    ...presentGroup(row, members.length),
    members: members.map((m) => {
      const type = m.member_type === 'group' ? 'group' : 'user';
      return { type, id: m.member_id, name: (type === 'group' ? groupNames : userNames).get(m.member_id) ?? '' };
    }),
  };
}

export async function createGroup(
  ctx: IdentityContext,
  input: { name: string; displayName: string; description?: string; require2fa?: boolean },
  actor: Actor,
): Promise<GroupView> {
  const at = now();
  const row: GroupRow = {
    id: randomUUID(),
    name: parse(groupNameRule, input.name, 'name'),
    display_name: parse(displayNameRule, input.displayName, 'displayName'),
    description: parse(descriptionRule, input.description ?? '', 'description'),
    require_2fa: input.require2fa ? 1 : 0,
    created_at: at,
    updated_at: at,
  };
  await ctx.store
    .transaction(async (tx) => {
      if (await ctx.store.groupByName(row.name, tx)) throw new ConflictError(`A group named ${row.name} exists already.`, 'name_taken');
      await ctx.store.insertGroup(row, tx);
      await ctx.platform.audit.append(auditBy(actor, { action: 'group.create', target: { type: 'group', id: row.id }, details: { name: row.name, require2fa: row.require_2fa === 1 } }), tx);
    })
    .catch((e: unknown) => {
      if (e instanceof Error && /unique|duplicate key/i.test(e.message)) throw new ConflictError(`A group named ${row.name} exists already.`, 'name_taken');
      throw e;
    });
  return presentGroup(row, 0);
}

export async function updateGroup(
  ctx: IdentityContext,
  id: string,
  patch: { displayName?: string; description?: string; require2fa?: boolean },
  actor: Actor,
): Promise<GroupDetail> {
  const set: Partial<GroupRow> = {};
  if (patch.displayName !== undefined) set.display_name = parse(displayNameRule, patch.displayName, 'displayName');
  if (patch.description !== undefined) set.description = parse(descriptionRule, patch.description, 'description');
  if (patch.require2fa !== undefined) set.require_2fa = patch.require2fa ? 1 : 0;
  await ctx.store.transaction(async (tx) => {
    const before = await requireGroup(ctx, id, tx);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, v] of Object.entries(set)) if (before[k as keyof GroupRow] !== v) changes[k] = { from: before[k as keyof GroupRow], to: v };
    if (Object.keys(changes).length === 0) return;
    await ctx.store.updateGroup(id, { ...set, updated_at: now() }, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'group.update', target: { type: 'group', id }, details: { name: before.name, changes } }), tx);
  });
  // require_2fa reaches every member, nested ones too: dropping every remembered view is simplest.
  await forgetVerified(ctx, { all: true });
  return groupDetail(ctx, id);
}

export async function deleteGroup(ctx: IdentityContext, id: string, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const before = await requireGroup(ctx, id, tx);
    await ctx.store.deleteGroup(id, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'group.delete', target: { type: 'group', id }, details: { name: before.name } }), tx);
  });
  await forgetVerified(ctx, { all: true });
}

export async function addGroupMember(ctx: IdentityContext, groupId: string, member: { type: 'user' | 'group'; id: string }, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const group = await requireGroup(ctx, groupId, tx);
    const memberName =
      member.type === 'user' ? (await ctx.store.userById(member.id, tx))?.username : (await ctx.store.groupById(member.id, tx))?.name;
    if (memberName === undefined) throw new NotFoundError(`The ${member.type} to add does not exist.`);
    if (member.type === 'group' && (await wouldCycle(ctx.store, groupId, member.id, tx))) {
      throw new ConflictError(`Adding ${memberName} to ${group.name} would make a group contain itself.`, 'cycle');
    }
    const added = await ctx.store.addMember({ group_id: groupId, member_type: member.type, member_id: member.id, created_at: now() }, tx);
    if (!added) return;
    await ctx.platform.audit.append(
      auditBy(actor, { action: 'group.add_member', target: { type: 'group', id: groupId }, details: { group: group.name, memberType: member.type, memberId: member.id, member: memberName } }),
      tx,
    );
  });
  // Membership decides mfaRequired, for a nested group's members too.
  await forgetVerified(ctx, { all: true });
}

export async function removeGroupMember(ctx: IdentityContext, groupId: string, member: { type: 'user' | 'group'; id: string }, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const group = await requireGroup(ctx, groupId, tx);
    const removed = await ctx.store.removeMember(groupId, member.type, member.id, tx);
    if (!removed) throw new NotFoundError('This is not a member of the group.');
    await ctx.platform.audit.append(
      auditBy(actor, { action: 'group.remove_member', target: { type: 'group', id: groupId }, details: { group: group.name, memberType: member.type, memberId: member.id } }),
      tx,
    );
  });
  await forgetVerified(ctx, { all: true });
}

export async function groupIdsOf(ctx: IdentityContext, userId: string): Promise<string[]> {
  const map = await effectiveGroups(ctx.store, [userId]);
  return [...(map.get(userId) ?? [])].sort();
}

/** The groups shown on an admin's user page: effective membership, names included. */
export async function groupsOfUser(ctx: IdentityContext, userId: string): Promise<{ id: string; name: string; direct: boolean }[]> {
  const ids = await groupIdsOf(ctx, userId);
  const direct = new Set((await ctx.store.userMemberships([userId])).map((m) => m.group_id));
  const names = await ctx.store.namesOf('group', ids);
  return ids.map((id) => ({ id, name: names.get(id) ?? '', direct: direct.has(id) })).sort((a, b) => a.name.localeCompare(b.name));
}
