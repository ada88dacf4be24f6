import { AppError, ValidationError } from '../../../platform/errors.js';
import { createLock, DEFAULT_LOCK_SECONDS, locksCovering, refreshLock, removeLock } from '../commands/locks.js';
import { PreconditionFailedError } from '../errors.js';
import { readXmlBody } from './body.js';
import { checkConditions } from './conditions.js';
import { headerOf, type DavRequest } from './context.js';
import { submittedTokens } from './ifHeader.js';
import { XML_HEAD } from './multistatus.js';
import { activeLock } from './properties.js';
import { atMountRoot, parentPath } from './target.js';
import { child, serializeChildren } from './xml.js';
import { Readable } from 'node:stream';

function parseTimeout(header: string | null): number {
  if (!header) return DEFAULT_LOCK_SECONDS;
  for (const part of header.split(',').map((p) => p.trim())) {
    if (/^infinite$/i.test(part)) return Number.MAX_SAFE_INTEGER;
    const m = /^second-(\d+)$/i.exec(part);
    if (m) return Number(m[1]);
  }
  return DEFAULT_LOCK_SECONDS;
}

function lockAnswer(dav: DavRequest, body: string, status: number): void {
  dav.reply
    .status(status)
    .type('application/xml; charset=utf-8')
    .send(`${XML_HEAD}<D:prop xmlns:D="DAV:"><D:lockdiscovery>${body}</D:lockdiscovery></D:prop>`);
}

export async function lock(dav: DavRequest): Promise<void> {
  const info = await readXmlBody(dav.req);
  const timeout = parseTimeout(headerOf(dav.req, 'timeout'));
  if (!info) {
    // A refresh: no body, the lock named in the If header, which must cover this resource.
    if (!dav.ifLists) throw new ValidationError('A LOCK without a body refreshes a lock: send its token in the If header.');
    const tokens = submittedTokens(dav.ifLists);
    const current = (await locksCovering(dav.ctx, dav.target.space.id, dav.target.path)).find((l) => tokens.has(l.token) && l.user_id === dav.user.id);
    if (!current) throw new PreconditionFailedError('No lock of yours with this token covers this resource.');
    const refreshed = await refreshLock(dav.ctx, current, timeout);
    lockAnswer(dav, activeLock(refreshed, dav.target.mount, dav.target.base), 200);
    return;
  }
  if (info.ns !== 'DAV:' || info.local !== 'lockinfo') throw new ValidationError('The LOCK body must be a DAV:lockinfo element.');
  const scopeEl = child(info, 'DAV:', 'lockscope');
  const scope = scopeEl && child(scopeEl, 'DAV:', 'shared') ? 'shared' : scopeEl && child(scopeEl, 'DAV:', 'exclusive') ? 'exclusive' : null;
  const typeEl = child(info, 'DAV:', 'locktype');
  if (!scope || !typeEl || !child(typeEl, 'DAV:', 'write')) throw new ValidationError('Only write locks, exclusive or shared, are supported.');
  const depthHeader = headerOf(dav.req, 'depth') ?? 'infinity';
  if (depthHeader !== '0' && depthHeader !== 'infinity') throw new ValidationError('LOCK takes Depth 0 or infinity.');
  const ownerEl = child(info, 'DAV:', 'owner');
  const owner = ownerEl ? serializeChildren(ownerEl) : '';

  let created = false;
  if (!dav.node) {
    // Locking an unmapped URL creates an empty file there (RFC 4918 §7.3).
    const parent = dav.parent;
    if (!parent || parent.kind !== 'folder' || atMountRoot(dav.target)) throw new AppError(409, 'conflict', 'The parent folder does not exist.');
    await checkConditions(dav, [{ space: dav.target.space, path: parentPath(dav.target.path), scope: 'self' }]);
    await dav.service.writeFile(dav.actor, { space: dav.target.space, parent, name: dav.target.names.at(-1)!, body: Readable.from([]) });
    created = true;
  }
  const row = await createLock(dav.ctx, dav.actor, dav.target.space.id, dav.target.path, {
    depth: depthHeader === '0' || dav.node?.kind === 'file' ? '0' : 'infinity',
    scope,
    owner,
    timeoutSeconds: timeout,
  });
  dav.reply.header('lock-token', `<${row.token}>`);
  lockAnswer(dav, activeLock(row, dav.target.mount, dav.target.base), created ? 201 : 200);
}

export async function unlock(dav: DavRequest): Promise<void> {
  const header = headerOf(dav.req, 'lock-token');
  const m = header ? /^\s*<([^>]+)>\s*$/.exec(header) : null;
  if (!m) throw new ValidationError('UNLOCK needs a Lock-Token header: <token>.');
  const token = m[1]!;
  const current = (await locksCovering(dav.ctx, dav.target.space.id, dav.target.path)).find((l) => l.token === token);
  if (!current) throw new AppError(409, 'lock_token_mismatch', 'No lock with this token covers this resource.');
  if (current.user_id !== dav.user.id) throw new AppError(403, 'forbidden', 'This lock belongs to someone else.');
  await removeLock(dav.ctx, token);
  dav.reply.status(204).send();
}
