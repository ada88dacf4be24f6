import { AppError, ValidationError } from '../../../platform/errors.js';
import { removeLocksAt } from '../commands/locks.js';
import { sendContent } from '../download.js';
import { quoteEtag } from '../presenters.js';
import { hasBody, UnsupportedMediaTypeError } from './body.js';
import { checkConditions } from './conditions.js';
import { headerOf, type DavRequest } from './context.js';
import { atMountRoot, encodeSegment, parentPath } from './target.js';
import { escapeXml } from './xml.js';

export const DAV_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'PROPFIND', 'PROPPATCH', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'];

export async function options(dav: Pick<DavRequest, 'reply'>): Promise<void> {
  dav.reply.header('dav', '1, 2').header('ms-author-via', 'DAV').header('allow', DAV_METHODS.join(', ')).header('content-length', '0').status(200).send();
}

export async function get(dav: DavRequest): Promise<void> {
  const node = dav.node;
  if (!node) throw new AppError(404, 'not_found', 'Nothing exists at this URL.');
  if (node.kind === 'file') {
    await sendContent(dav.req, dav.reply, dav.service, node, { attachment: false });
    return;
  }
  // A plain index, so a folder URL opened in a browser shows something useful.
  const items = await dav.service.allChildren(node);
  const base = dav.req.raw.url!.split('?')[0]!.replace(/\/?$/, '/');
  const list = items.map((c) => `<li><a href="${escapeXml(base + encodeSegment(c.name) + (c.kind === 'folder' ? '/' : ''))}">${escapeXml(c.name)}${c.kind === 'folder' ? '/' : ''}</a></li>`).join('');
  dav.reply.header('etag', quoteEtag(node.etag)).type('text/html; charset=utf-8').send(`<!doctype html><meta charset="utf-8"><title>Index</title><ul>${list}</ul>`);
}

export async function put(dav: DavRequest): Promise<void> {
  if (dav.node?.kind === 'folder') throw new AppError(405, 'method_not_allowed', 'A folder cannot be overwritten with a file.');
  if (dav.req.headers['content-range']) throw new ValidationError('Partial PUT (Content-Range) is not supported.');
  // At the top of a mount only a shared file can be written (replaced, by id: its folder is not shared).
  const sharedFile = atMountRoot(dav.target) && dav.node?.kind === 'file' ? dav.node : undefined;
  if (atMountRoot(dav.target) && !sharedFile) throw new AppError(405, 'method_not_allowed', 'The root folder cannot be written.');
  const parent = dav.parent;
  if (!parent || parent.kind !== 'folder') throw new AppError(409, 'conflict', 'The parent folder does not exist; create it first (MKCOL).');
  const touches = [{ space: dav.target.space, path: dav.target.path, scope: 'self' as const }];
  if (!dav.node) touches.push({ space: dav.target.space, path: parentPath(dav.target.path), scope: 'self' });
  await checkConditions(dav, touches);
  const length = headerOf(dav.req, 'content-length');
  const { node, created } = await dav.service.writeFile(dav.actor, {
    space: dav.target.space,
    parent,
    name: dav.target.names.at(-1)!,
    body: dav.req.raw,
    contentType: headerOf(dav.req, 'content-type'),
    contentLength: length === null ? null : Number(length),
    ifMatch: headerOf(dav.req, 'if-match'),
    ifNoneMatch: headerOf(dav.req, 'if-none-match'),
    current: dav.node ?? null,
    ...(sharedFile ? { fileId: sharedFile.id } : {}),
  });
  dav.reply.header('etag', quoteEtag(node.etag)).status(created ? 201 : 204).send();
}

export async function del(dav: DavRequest): Promise<void> {
  if (!dav.node) throw new AppError(404, 'not_found', 'Nothing exists at this URL.');
  if (atMountRoot(dav.target)) {
    throw new AppError(403, 'forbidden', dav.target.kind === 'shared' ? 'A shared item cannot be deleted from /dav/shared/: delete what is inside it, or ask its owner to stop sharing it.' : 'The root folder cannot be deleted.');
  }
  await checkConditions(dav, [
    { space: dav.target.space, path: dav.target.path, scope: 'tree' },
    { space: dav.target.space, path: parentPath(dav.target.path), scope: 'self' },
  ]);
  await dav.service.trash(dav.actor, dav.node.id);
  await removeLocksAt(dav.ctx, dav.target.space.id, dav.target.path);
  dav.reply.status(204).send();
}

export async function mkcol(dav: DavRequest): Promise<void> {
  if (await hasBody(dav.req)) throw new UnsupportedMediaTypeError('MKCOL takes no request body.');
  if (dav.node) throw new AppError(405, 'method_not_allowed', 'Something exists at this URL already.');
  const parent = dav.parent;
  if (!parent || parent.kind !== 'folder') throw new AppError(409, 'conflict', 'The parent folder does not exist.');
  await checkConditions(dav, [
    { space: dav.target.space, path: dav.target.path, scope: 'self' },
    { space: dav.target.space, path: parentPath(dav.target.path), scope: 'self' },
  ]);
  let folder;
  try {
    folder = await dav.service.createFolder(dav.actor, parent.id, dav.target.names.at(-1)!);
  } catch (e) {
    // A concurrent MKCOL won the name: to this client the URL is simply mapped now.
    if (e instanceof AppError && e.code === 'name_taken') throw new AppError(405, 'method_not_allowed', 'Something exists at this URL already.');
    throw e;
  }
  dav.reply.header('etag', quoteEtag(folder.etag)).status(201).send();
}
