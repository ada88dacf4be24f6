import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ValidationError } from '../../../platform/errors.js';
import type { WopiAccess } from '../commands/wopiAccess.js';
import type { FilesActor } from '../context.js';
import type { FilesService } from '../service.js';
import { decodeUtf7 } from './utf7.js';

/** Everything one WOPI operation gets: the opened token, the request and where the host lives. */
export interface WopiCall {
  req: FastifyRequest;
  reply: FastifyReply;
  service: FilesService;
  access: WopiAccess;
  actor: FilesActor;
  /** `<publicUrl>/wopi/files/` */
  filesUrl: string;
  /** `<publicUrl>` for HostEditUrl and PostMessageOrigin. */
  publicUrl: string;
}

export function header(req: FastifyRequest, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
}

/** The spec's answer to a write through a token without (or no longer with) write access. */
function assertCanWrite(call: WopiCall): void {
  if (!call.access.canWrite) throw new AppError(401, 'read_only', 'This access token does not allow changes to the file.');
}

function hostPageUrl(call: WopiCall, nodeId: string): string {
  return `${call.publicUrl}/files/edit/${encodeURIComponent(nodeId)}`;
}

export async function checkFileInfo(call: WopiCall): Promise<void> {
  const { node, space, user, canWrite } = call.access;
  const canEditFolder = await call.service.wopi.mayEditFolderOf(user, node);
  call.reply.header('cache-control', 'no-store').send({
    BaseFileName: node.name,
    OwnerId: space.owner_id,
    Size: Number(node.size),
    UserId: user.id,
    UserFriendlyName: user.displayName || user.username,
    Version: node.etag,
    LastModifiedTime: new Date(node.modified_at).toISOString(),
    UserCanWrite: canWrite,
    ReadOnly: !canWrite,
    SupportsLocks: true,
    SupportsGetLock: true,
    SupportsUpdate: true,
    SupportsExtendedLockLength: true,
    SupportsRename: true,
    UserCanRename: canWrite && canEditFolder,
    UserCanNotWriteRelative: !canEditFolder,
    SupportsDeleteFile: false,
    HostEditUrl: hostPageUrl(call, node.id),
    HostViewUrl: hostPageUrl(call, node.id),
    // Collabora posts UI messages to the host page only when it knows the page's origin.
    PostMessageOrigin: new URL(call.publicUrl).origin,
  });
}

export async function getFile(call: WopiCall): Promise<void> {
  const { node } = call.access;
  const max = header(call.req, 'x-wopi-maxexpectedsize');
  if (max !== null && /^\d+$/.test(max) && Number(node.size) > Number(max)) {
    throw new AppError(412, 'too_large', `The file has ${node.size} bytes, more than the ${max} the editor accepts.`);
  }
  call.reply.header('x-wopi-itemversion', node.etag).header('content-type', 'application/octet-stream').header('content-length', String(node.size));
  if (Number(node.size) === 0) {
    call.reply.status(200).send('');
    return;
  }
  call.reply.status(200).send(await call.service.readFile(node));
}

function declaredLength(call: WopiCall): number | null {
  const v = header(call.req, 'content-length');
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

export async function putFile(call: WopiCall): Promise<void> {
  assertCanWrite(call);
  const written = await call.service.wopi.putFile(call.actor, call.access, header(call.req, 'x-wopi-lock') ?? '', call.req.raw, declaredLength(call));
  call.reply.header('x-wopi-itemversion', written.etag).status(200).send();
}

export async function lock(call: WopiCall): Promise<void> {
  assertCanWrite(call);
  const lockId = header(call.req, 'x-wopi-lock') ?? '';
  const oldLock = header(call.req, 'x-wopi-oldlock');
  await call.service.wopi.lock(call.actor, call.access.node, lockId, oldLock ?? undefined);
  call.reply.header('x-wopi-itemversion', call.access.node.etag).status(200).send();
}

export async function refreshLock(call: WopiCall): Promise<void> {
  assertCanWrite(call);
  await call.service.wopi.refreshLock(call.actor, call.access.node, header(call.req, 'x-wopi-lock') ?? '');
  call.reply.status(200).send();
}

export async function unlock(call: WopiCall): Promise<void> {
  assertCanWrite(call);
  await call.service.wopi.unlock(call.access.node, header(call.req, 'x-wopi-lock') ?? '');
  call.reply.header('x-wopi-itemversion', call.access.node.etag).status(200).send();
}

export async function getLock(call: WopiCall): Promise<void> {
  call.reply.header('x-wopi-lock', await call.service.wopi.currentLock(call.access.node.id)).status(200).send();
}

function utf7Header(call: WopiCall, name: string): string | null {
  const v = header(call.req, name);
  return v === null ? null : decodeUtf7(v);
}

export async function putRelativeFile(call: WopiCall): Promise<void> {
  const suggested = utf7Header(call, 'x-wopi-suggestedtarget');
  const relative = utf7Header(call, 'x-wopi-relativetarget');
  if (suggested !== null && relative !== null) throw new ValidationError('X-WOPI-SuggestedTarget and X-WOPI-RelativeTarget exclude each other: send one.');
  const sizeHeader = header(call.req, 'x-wopi-size');
  const size = sizeHeader !== null && /^\d+$/.test(sizeHeader) ? Number(sizeHeader) : declaredLength(call);
  const overwrite = (header(call.req, 'x-wopi-overwriterelativetarget') ?? '').toLowerCase() === 'true';
  // Save As where the person may not create files (UserCanNotWriteRelative): the spec's 401.
  if (!(await call.service.wopi.mayEditFolderOf(call.access.user, call.access.node))) throw new AppError(401, 'read_only', 'You may not create files in this folder.');
  const created = await call.service.wopi.putRelative(call.actor, call.access.node, { suggested, relative, overwrite, body: call.req.raw, size });
  const issued = await call.service.wopi.issueToken(call.access.user, created.id);
  const url = `${call.filesUrl}${encodeURIComponent(created.id)}?access_token=${encodeURIComponent(issued.token)}`;
  call.reply.header('cache-control', 'no-store').send({
    Name: created.name,
    Url: url,
    HostViewUrl: hostPageUrl(call, created.id),
    HostEditUrl: hostPageUrl(call, created.id),
  });
}

export async function renameFile(call: WopiCall): Promise<void> {
  assertCanWrite(call);
  const requested = utf7Header(call, 'x-wopi-requestedname');
  if (requested === null) throw new ValidationError('Send the new name in X-WOPI-RequestedName.');
  const name = await call.service.wopi.rename(call.actor, call.access.node, requested, header(call.req, 'x-wopi-lock') ?? undefined);
  call.reply.header('cache-control', 'no-store').send({ Name: name });
}

/** POST /wopi/files/:id, by X-WOPI-Override. */
export const FILE_OVERRIDES: Record<string, (call: WopiCall) => Promise<void>> = {
  LOCK: lock,
  GET_LOCK: getLock,
  REFRESH_LOCK: refreshLock,
  UNLOCK: unlock,
  PUT_RELATIVE: putRelativeFile,
  RENAME_FILE: renameFile,
};
