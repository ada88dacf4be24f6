import { AppError, ValidationError } from '../../../platform/errors.js';
import { removeLocksAt } from '../commands/locks.js';
import { PreconditionFailedError } from '../errors.js';
import { quoteEtag } from '../presenters.js';
import { checkConditions, type Touch } from './conditions.js';
import { headerOf, type DavRequest } from './context.js';
import { atMountRoot, parentPath, rawPathOf, resolveTarget } from './target.js';

/** COPY and MOVE (RFC 4918 §9.8, §9.9): Destination, Overwrite and Depth. */
export async function copyOrMove(dav: DavRequest, kind: 'COPY' | 'MOVE'): Promise<void> {
  const source = dav.node;
  if (!source) throw new AppError(404, 'not_found', 'Nothing exists at this URL.');
  const destHeader = headerOf(dav.req, 'destination');
  if (!destHeader) throw new ValidationError('The Destination header is missing.');
  const dest = await resolveTarget(dav.service, dav.user, rawPathOf(destHeader));
  if (atMountRoot(dest)) throw new AppError(403, 'forbidden', dest.kind === 'shared' ? 'A shared item cannot be replaced; copy or move into it instead.' : 'The root folder cannot be replaced.');
  if (kind === 'MOVE' && dav.target.kind === 'shared' && atMountRoot(dav.target)) {
    throw new AppError(403, 'forbidden', 'A shared item cannot be renamed or moved from /dav/shared/; copy it instead.');
  }
  const overwriteHeader = (headerOf(dav.req, 'overwrite') ?? 'T').toUpperCase();
  if (overwriteHeader !== 'T' && overwriteHeader !== 'F') throw new ValidationError('Overwrite must be T or F.');
  const overwrite = overwriteHeader === 'T';
  const depth = headerOf(dav.req, 'depth') ?? 'infinity';
  if (kind === 'COPY' ? depth !== '0' && depth !== 'infinity' : depth !== 'infinity') throw new ValidationError(`${kind} takes Depth ${kind === 'COPY' ? '0 or ' : ''}infinity.`);

  const sameSpace = dest.space.id === dav.target.space.id;
  if (sameSpace && (dest.path === dav.target.path || (source.kind === 'folder' && dest.path.startsWith(dav.target.path + '/')))) {
    throw new AppError(403, 'forbidden', 'An item cannot be copied or moved onto or into itself.');
  }
  if (sameSpace && dav.target.path.startsWith(dest.path + '/')) throw new AppError(403, 'forbidden', 'An item cannot replace a folder that contains it.');
  const destParent = await dav.service.resolvePath(dest.space, dest.names.slice(0, -1));
  if (!destParent || destParent.kind !== 'folder') throw new AppError(409, 'conflict', 'The destination folder does not exist.');
  const existing = await dav.service.resolvePath(dest.space, dest.names);
  if (existing && !overwrite) throw new PreconditionFailedError('The destination exists and Overwrite is F.');

  const touches: Touch[] = [
    { space: dest.space, path: dest.path, scope: 'tree' },
    { space: dest.space, path: parentPath(dest.path), scope: 'self' },
  ];
  if (kind === 'MOVE') {
    touches.push({ space: dav.target.space, path: dav.target.path, scope: 'tree' }, { space: dav.target.space, path: parentPath(dav.target.path), scope: 'self' });
  }
  await checkConditions(dav, touches);
  const to = { parentId: destParent.id, name: dest.names.at(-1)!, overwrite };
  try {
    const { node } =
      kind === 'MOVE' ? await dav.service.move(dav.actor, source.id, to) : await dav.service.copy(dav.actor, source.id, { ...to, shallow: depth === '0' });
    if (kind === 'MOVE') await removeLocksAt(dav.ctx, dav.target.space.id, dav.target.path);
    dav.reply.header('etag', quoteEtag(node.etag)).status(existing ? 204 : 201).send();
  } catch (e) {
    if (e instanceof AppError && e.code === 'name_taken') throw new PreconditionFailedError('The destination exists and Overwrite is F.');
    throw e;
  }
}
