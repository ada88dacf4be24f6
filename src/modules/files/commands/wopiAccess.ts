import { createHmac } from 'node:crypto';
import { ConflictError, UnauthenticatedError } from '../../../platform/errors.js';
import { safeEqual } from '../../../platform/crypto/tokens.js';
import type { UserView } from '../../identity/types.js';
import type { FilesContext } from '../context.js';
import { authorize, type Access } from '../policy.js';
import type { NodeRow } from '../tables.js';

/** How long an editor session's access token lasts (the editor asks for a new page after that). */
export const WOPI_TOKEN_TTL_MS = 10 * 3600_000;

interface TokenClaims {
  /** user id */
  u: string;
  /** file (node) id */
  f: string;
  /** may write, as decided by the policy when the token was issued */
  w: boolean;
  /** expiry, ms since the epoch */
  e: number;
}

export interface WopiAccess extends Access {
  user: UserView;
  /** Write access now: the token allows it and the policy still does. */
  canWrite: boolean;
  expiresAt: number;
}

/** A key of its own, derived from the server secret, so these signatures mean nothing elsewhere. */
function tokenKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('tessera/wopi-access-token/v1').digest();
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', tokenKey(secret)).update(payload).digest('base64url');
}

/** `v1.<claims>.<HMAC>`: nothing stored; every use re-checks the person and the policy. */
export function signWopiToken(secret: string, claims: TokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `v1.${payload}.${sign(secret, payload)}`;
}

function readClaims(secret: string, token: string): TokenClaims | null {
  const [version, payload, mac, ...rest] = token.split('.');
  if (version !== 'v1' || !payload || !mac || rest.length) return null;
  if (!safeEqual(mac, sign(secret, payload))) return null;
  try {
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>;
    if (typeof c.u !== 'string' || typeof c.f !== 'string' || typeof c.w !== 'boolean' || typeof c.e !== 'number') return null;
    return c as TokenClaims;
  } catch {
    return null;
  }
}

async function mayEdit(ctx: FilesContext, user: UserView, node: NodeRow | string): Promise<boolean> {
  try {
    await authorize(ctx, user, 'edit', node);
    return true;
  } catch {
    return false;
  }
}

/** A token for an editor to open this file as this person, with write access if the policy gives it now. */
export async function issueWopiToken(ctx: FilesContext, user: UserView, nodeId: string): Promise<{ token: string; expiresAt: number; canWrite: boolean; node: NodeRow }> {
  const { node } = await authorize(ctx, user, 'view', nodeId);
  if (node.kind !== 'file') throw new ConflictError('Only files open in an editor, not folders.', 'not_a_file');
  const canWrite = await mayEdit(ctx, user, node);
  const expiresAt = Date.now() + WOPI_TOKEN_TTL_MS;
  return { token: signWopiToken(ctx.platform.secret, { u: user.id, f: node.id, w: canWrite, e: expiresAt }), expiresAt, canWrite, node };
}

/**
 * Every WOPI call: a forged, expired or other file's token, or a person no longer active, is 401;
 * a file gone or no longer reachable by the person is 404 (policy.authorize).
 */
export async function openWopiToken(ctx: FilesContext, token: string, nodeId: string): Promise<WopiAccess> {
  const claims = readClaims(ctx.platform.secret, token);
  if (!claims || claims.f !== nodeId) throw new UnauthenticatedError('The access token is not valid for this file.', 'invalid_token');
  if (claims.e <= Date.now()) throw new UnauthenticatedError('The access token has expired; open the file again.', 'token_expired');
  const user = await ctx.identity.getUser(claims.u);
  if (!user || user.status !== 'active') throw new UnauthenticatedError('The account behind this access token is disabled.', 'invalid_token');
  const access = await authorize(ctx, user, 'view', nodeId);
  if (access.node.kind !== 'file') throw new UnauthenticatedError('The access token is not valid for this file.', 'invalid_token');
  const canWrite = claims.w && (await mayEdit(ctx, user, access.node));
  return { ...access, user, canWrite, expiresAt: claims.e };
}

/** Save As / rename make a sibling: that needs edit access to the file's folder. */
export function mayEditFolderOf(ctx: FilesContext, user: UserView, node: NodeRow): Promise<boolean> {
  return node.parent_id ? mayEdit(ctx, user, node.parent_id) : Promise.resolve(false);
}
