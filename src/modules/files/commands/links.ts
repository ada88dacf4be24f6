import { hash, verify } from '@node-rs/argon2';
import { now } from '../../../platform/db/database.js';
import { hmacHex, randomToken, safeEqual, sha256Hex } from '../../../platform/crypto/tokens.js';
import { NotFoundError, TooManyRequestsError, UnauthenticatedError, ValidationError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { auditBy, newId, type FilesActor, type FilesContext } from '../context.js';
import { authorize } from '../policy.js';
import type { LinkRow, NodeRow, SpaceRow } from '../tables.js';

// Argon2id with identity's profile (OWASP's second recommendation); identity does not export its helper.
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** A password unlocks a link for this long (a signed token in a cookie or the X-Link-Access header). */
export const LINK_ACCESS_SECONDS = 3600;
/** 5 wrong passwords from one address, or 50 from anywhere, within 15 minutes lock the link's password for 15 minutes. */
const IP_THRESHOLD = 5;
const LINK_THRESHOLD = 50;
const WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;

const GONE = 'This link does not exist, has expired or was revoked.';

export interface NewLink {
  role: LinkRow['role'];
  password?: string | undefined;
  expiresAt?: string | undefined;
}

export async function createLink(ctx: FilesContext, actor: FilesActor, nodeId: string, input: NewLink): Promise<{ link: LinkRow; token: string }> {
  const { node, space } = await authorize(ctx, actor.user, 'share', nodeId);
  if (input.role !== 'view' && node.kind !== 'folder') throw new ValidationError('Edit and upload-only links are for folders.');
  if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= Date.now()) throw new ValidationError('The expiry date must be in the future.');
  const token = randomToken(32);
  const link: LinkRow = {
    id: newId(),
    node_id: node.id,
    space_id: space.id,
    token_hash: sha256Hex(token),
    role: input.role,
    password_hash: input.password ? await hash(input.password, ARGON2) : null,
    expires_at: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
    revoked_at: null,
    created_by: actor.user.id,
    created_at: now(),
  };
  await ctx.store.transaction(async (tx) => {
    await ctx.store.insertLink(link, tx);
    await ctx.platform.audit.append(
      auditBy(actor, { action: 'files.link.create', target: { type: 'file', id: node.id }, details: { link: link.id, name: node.name, role: link.role, password: link.password_hash !== null, expiresAt: link.expires_at } }),
      tx,
    );
  });
  return { link, token };
}

export async function listLinks(ctx: FilesContext, user: UserView, nodeId: string): Promise<LinkRow[]> {
  const { node } = await authorize(ctx, user, 'share', nodeId);
  return ctx.store.linksOn([node.id]);
}

export async function revokeLink(ctx: FilesContext, actor: FilesActor, nodeId: string, linkId: string): Promise<void> {
  const { node } = await authorize(ctx, actor.user, 'share', nodeId);
  const link = await ctx.store.link(linkId);
  if (!link || link.node_id !== node.id) throw new NotFoundError('This link does not exist.');
  if (link.revoked_at !== null) return;
  await ctx.store.transaction(async (tx) => {
    await ctx.store.revokeLink(link.id, now(), tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'files.link.revoke', target: { type: 'file', id: node.id }, details: { link: link.id, role: link.role } }), tx);
  });
}

export interface OpenLink {
  link: LinkRow;
  node: NodeRow;
  space: SpaceRow;
  /** The person who made the link: writes through it are theirs, and it lives only while they may share the item. */
  creator: UserView;
}

/** An active link by its token: unknown, expired, revoked, or whose creator lost access → 404. */
export async function openLink(ctx: FilesContext, token: string): Promise<OpenLink> {
  if (token.length < 20 || token.length > 100) throw new NotFoundError(GONE);
  const link = await ctx.store.linkByTokenHash(sha256Hex(token));
  if (!link || link.revoked_at !== null || (link.expires_at !== null && Date.parse(link.expires_at) <= Date.now())) throw new NotFoundError(GONE);
  const creator = await ctx.identity.getUser(link.created_by);
  if (!creator) throw new NotFoundError(GONE);
  try {
    const { node, space } = await authorize(ctx, creator, 'share', link.node_id);
    return { link, node, space, creator };
  } catch {
    throw new NotFoundError(GONE);
  }
}

function accessSignature(ctx: FilesContext, link: LinkRow, expires: number): string {
  return hmacHex(ctx.platform.secret, `files-link|${link.id}|${expires}|${link.password_hash ?? ''}`);
}

/** True when the link has no password, or `access` is a valid unexpired token from unlockLink. */
export function isUnlocked(ctx: FilesContext, link: LinkRow, access: string | null): boolean {
  if (link.password_hash === null) return true;
  if (!access) return false;
  const [id, exp, sig] = access.split('.');
  if (id !== link.id || !exp || !sig || !/^\d+$/.test(exp) || Number(exp) * 1000 <= Date.now()) return false;
  return safeEqual(sig, accessSignature(ctx, link, Number(exp)));
}

export function assertUnlocked(ctx: FilesContext, link: LinkRow, access: string | null): void {
  if (!isUnlocked(ctx, link, access)) throw new UnauthenticatedError('This link is protected by a password.', 'link_password_required');
}

/**
 * Checks a link's password (brute force limited per link and address, shared by every process)
 * and returns a short-lived signed access token.
 */
export async function unlockLink(ctx: FilesContext, open: OpenLink, password: string, ip: string): Promise<{ access: string; expiresAt: string }> {
  const { link } = open;
  const keys = [`link:${link.id}`, `ip:${link.id}:${ip}`];
  const t = Date.now();
  let retry = 0;
  for (const key of keys) {
    const row = await ctx.store.linkAttempt(key);
    if (row?.locked_until && Date.parse(row.locked_until) > t) retry = Math.max(retry, Math.ceil((Date.parse(row.locked_until) - t) / 1000));
  }
  if (retry > 0) throw new TooManyRequestsError(`Too many wrong passwords for this link. Wait ${retry} seconds and try again.`, retry);
  let ok = false;
  if (link.password_hash === null) ok = true;
  else {
    try {
      ok = await verify(link.password_hash, password);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    await ctx.store.transaction(async (tx) => {
      for (const [key, threshold] of [[keys[0]!, LINK_THRESHOLD], [keys[1]!, IP_THRESHOLD]] as const) {
        const row = await ctx.store.linkAttempt(key, tx);
        const fresh = !row || Date.parse(row.window_start) + WINDOW_MS <= t;
        const failures = fresh ? 1 : row.failures + 1;
        const windowStart = fresh ? new Date(t).toISOString() : row.window_start;
        await ctx.store.saveLinkAttempt({ key, failures, window_start: windowStart, locked_until: failures >= threshold ? new Date(t + LOCK_MS).toISOString() : null }, tx);
      }
      await ctx.platform.audit.append(
        { action: 'files.link.password_failed', actor: null, ip, outcome: 'failure', target: { type: 'file', id: link.node_id }, details: { link: link.id } },
        tx,
      );
    });
    throw new UnauthenticatedError('Wrong password for this link.', 'wrong_link_password');
  }
  await ctx.store.deleteLinkAttempt(keys[1]!);
  const expires = Math.floor(t / 1000) + LINK_ACCESS_SECONDS;
  return { access: `${link.id}.${expires}.${accessSignature(ctx, link, expires)}`, expiresAt: new Date(expires * 1000).toISOString() };
}

/** A node inside the link's item (itself or below), or 404. */
export async function nodeInLink(ctx: FilesContext, open: OpenLink, nodeId: string): Promise<NodeRow> {
  const node = await ctx.store.node(nodeId);
  if (!node || node.trash_id !== null || node.space_id !== open.space.id) throw new NotFoundError('This item does not exist in this link.');
  const ancestry = await ctx.store.ancestry(node.id);
  if (!ancestry.some((n) => n.id === open.link.node_id)) throw new NotFoundError('This item does not exist in this link.');
  return node;
}
