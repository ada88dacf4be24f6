import { now } from '../../../platform/db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { auditBy, newId, type FilesActor, type FilesContext } from '../context.js';
import { authorize, canUseSpace, roleFromShares, type FilesRole } from '../policy.js';
import type { LinkRow, NodeRow, ShareRow } from '../tables.js';

export type GranteeInput = { type: 'user'; id?: string | undefined; login?: string | undefined } | { type: 'group'; id?: string | undefined; name?: string | undefined };

export interface Grantee {
  type: 'user' | 'group';
  id: string;
  name: string;
  displayName: string;
}

export interface ShareView {
  share: ShareRow;
  grantee: Grantee;
  /** True when the share is on a folder above the item (it covers the item). */
  inherited: boolean;
}

async function granteeOf(ctx: FilesContext, type: ShareRow['grantee_type'], id: string): Promise<Grantee> {
  if (type === 'user') {
    const u = await ctx.identity.getUser(id);
    return { type, id, name: u?.username ?? '', displayName: u?.displayName ?? '(deleted person)' };
  }
  const g = (await ctx.identity.listGroups()).find((x) => x.id === id);
  return { type, id, name: g?.name ?? '', displayName: g?.displayName ?? '(deleted group)' };
}

async function resolveGrantee(ctx: FilesContext, input: GranteeInput): Promise<Grantee> {
  if (input.type === 'user') {
    const u = input.id ? await ctx.identity.getUser(input.id) : input.login ? await ctx.identity.findUser(input.login) : null;
    if (!u) throw new NotFoundError('There is no such person.');
    return { type: 'user', id: u.id, name: u.username, displayName: u.displayName };
  }
  const g = (await ctx.identity.listGroups()).find((x) => (input.id ? x.id === input.id : x.name === input.name));
  if (!g) throw new NotFoundError('There is no such group.');
  return { type: 'group', id: g.id, name: g.name, displayName: g.displayName };
}

async function viewsOf(ctx: FilesContext, shares: ShareRow[], nodeId: string): Promise<ShareView[]> {
  return Promise.all(shares.map(async (share) => ({ share, grantee: await granteeOf(ctx, share.grantee_type, share.grantee_id), inherited: share.node_id !== nodeId })));
}

/** Shares that reach an item: its own and those of the folders above it. Anyone with access may see them. */
export async function listShares(ctx: FilesContext, user: UserView, nodeId: string): Promise<ShareView[]> {
  const { node } = await authorize(ctx, user, 'view', nodeId);
  const ancestry = await ctx.store.ancestry(node.id);
  return viewsOf(ctx, await ctx.store.sharesOn(ancestry.map((n) => n.id)), node.id);
}

export async function createShare(ctx: FilesContext, actor: FilesActor, nodeId: string, input: { grantee: GranteeInput; role: ShareRow['role'] }): Promise<ShareView> {
  const { node, space } = await authorize(ctx, actor.user, 'share', nodeId);
  const grantee = await resolveGrantee(ctx, input.grantee);
  if (space.kind === 'personal' && grantee.type === 'user' && grantee.id === space.owner_id) throw new ValidationError('This item is in their own files already.');
  if (space.kind === 'group' && grantee.type === 'group' && grantee.id === space.owner_id) throw new ValidationError('This item is in that group\'s space already.');
  const t = now();
  const row: ShareRow = { id: newId(), node_id: node.id, space_id: space.id, grantee_type: grantee.type, grantee_id: grantee.id, role: input.role, created_by: actor.user.id, created_at: t, updated_at: t };
  await ctx.store.transaction(async (tx) => {
    const live = await ctx.store.node(node.id, tx);
    if (!live || live.trash_id !== null) throw new NotFoundError('This item does not exist (any more).');
    if (await ctx.store.shareTo(node.id, grantee.type, grantee.id, tx)) throw new ConflictError('This item is shared with them already; change that share instead.', 'share_exists');
    await ctx.store.insertShare(row, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.share.create', target: { type: 'file', id: node.id }, details: { share: row.id, name: node.name, grantee: { type: grantee.type, id: grantee.id, name: grantee.name }, role: row.role } }), tx);
  });
  return { share: row, grantee, inherited: false };
}

async function ownShare(ctx: FilesContext, user: UserView, nodeId: string, shareId: string): Promise<{ node: NodeRow; share: ShareRow }> {
  const { node } = await authorize(ctx, user, 'share', nodeId);
  const share = await ctx.store.share(shareId);
  if (!share || share.node_id !== node.id) throw new NotFoundError('This share does not exist (any more).');
  return { node, share };
}

export async function updateShare(ctx: FilesContext, actor: FilesActor, nodeId: string, shareId: string, role: ShareRow['role']): Promise<ShareView> {
  const { node, share } = await ownShare(ctx, actor.user, nodeId, shareId);
  const updated: ShareRow = { ...share, role, updated_at: now() };
  await ctx.store.transaction(async (tx) => {
    await ctx.store.updateShare(share.id, { role, updated_at: updated.updated_at }, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.share.update', target: { type: 'file', id: node.id }, details: { share: share.id, grantee: { type: share.grantee_type, id: share.grantee_id }, from: share.role, to: role } }), tx);
  });
  return { share: updated, grantee: await granteeOf(ctx, share.grantee_type, share.grantee_id), inherited: false };
}

export async function deleteShare(ctx: FilesContext, actor: FilesActor, nodeId: string, shareId: string): Promise<void> {
  const { node, share } = await ownShare(ctx, actor.user, nodeId, shareId);
  await ctx.store.transaction(async (tx) => {
    await ctx.store.deleteShare(share.id, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.share.delete', target: { type: 'file', id: node.id }, details: { share: share.id, grantee: { type: share.grantee_type, id: share.grantee_id }, role: share.role } }), tx);
  });
}

export interface SharedItem {
  node: NodeRow;
  role: ShareRow['role'];
  sharedBy: Grantee;
  sharedAt: string;
}

/** Items shared with the person or their groups (nested), outside the spaces they already use. */
export async function sharedWithMe(ctx: FilesContext, user: UserView): Promise<SharedItem[]> {
  const groupIds = await ctx.identity.groupIdsOf(user.id);
  const shares = await ctx.store.sharesTo(user.id, groupIds);
  const byNode = new Map<string, ShareRow[]>();
  for (const s of shares) {
    const list = byNode.get(s.node_id);
    if (list) list.push(s);
    else byNode.set(s.node_id, [s]);
  }
  // Read once per call, not per share: /dav/shared/ lists this on every request of a sync client.
  const nodes = await ctx.store.nodesById([...byNode.keys()]);
  const spaces = await ctx.store.spacesById([...nodes.values()].map((n) => n.space_id));
  // Every sharer's name in one query: one lookup per sharer made a sync client's every request
  // under /dav/shared/ cost ~50 µs per share.
  const sharerIds = [...byNode.values()].map((list) => list[0]!.created_by);
  const names = await ctx.identity.peopleNames(sharerIds);
  const sharer = (id: string): Grantee => {
    const p = names.get(id);
    return { type: 'user', id, name: p?.username ?? '', displayName: p?.displayName ?? '(deleted person)' };
  };
  const out: SharedItem[] = [];
  for (const [nodeId, list] of byNode) {
    const node = nodes.get(nodeId);
    if (!node || node.trash_id !== null) continue;
    const space = spaces.get(node.space_id);
    if (!space || (await canUseSpace(ctx.identity, user, space, groupIds))) continue;
    const first = list[0]!;
    out.push({ node, role: roleFromShares(list, user.id, groupIds) ?? 'view', sharedBy: sharer(first.created_by), sharedAt: first.created_at });
  }
  return out;
}

export interface AccessSummary {
  role: FilesRole;
  owner: { type: 'user'; user: Grantee } | { type: 'group'; group: Grantee & { memberCount: number } };
  shares: ShareView[];
  /** Public links reaching the item; only shown to the space's people (links are secrets). */
  links: LinkRow[];
}

/** Who has access to an item: the space's owner or group, every share reaching it, its public links. */
export async function accessOf(ctx: FilesContext, user: UserView, nodeId: string): Promise<AccessSummary> {
  const { node, space, role } = await authorize(ctx, user, 'view', nodeId);
  const ids = (await ctx.store.ancestry(node.id)).map((n) => n.id);
  const shares = await viewsOf(ctx, await ctx.store.sharesOn(ids), node.id);
  const links = role === 'space' ? (await ctx.store.linksOn(ids)).filter((l) => l.revoked_at === null) : [];
  let owner: AccessSummary['owner'];
  if (space.kind === 'personal') owner = { type: 'user', user: await granteeOf(ctx, 'user', space.owner_id) };
  else {
    const g = (await ctx.identity.listGroups()).find((x) => x.id === space.owner_id);
    owner = { type: 'group', group: { type: 'group', id: space.owner_id, name: g?.name ?? '', displayName: g?.displayName ?? space.name, memberCount: g?.memberCount ?? 0 } };
  }
  return { role, owner, shares, links };
}
