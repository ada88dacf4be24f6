import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, UnauthenticatedError, ValidationError } from '../../../platform/errors.js';
import type { IdentityModule, UserView } from '../../identity/types.js';
import type { FilesContext } from '../context.js';
import type { FilesService } from '../service.js';
import type { DavRequest } from './context.js';
import { copyOrMove } from './copyMove.js';
import { IfHeaderError, parseIfHeader } from './ifHeader.js';
import { lock, unlock } from './lock.js';
import { DAV_METHODS, del, get, mkcol, options, put } from './methods.js';
import { propfind } from './propfind.js';
import { proppatch } from './proppatch.js';
import { sharedTop } from './sharedTop.js';
import { resolveLocation } from './target.js';

const EXTRA_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'];

/** Methods that only read; every other one needs edit access to the item (policy.authorize). */
const READ_METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'PROPFIND', 'COPY']);

const HANDLERS: Record<string, (dav: DavRequest) => Promise<void>> = {
  OPTIONS: options,
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: del,
  MKCOL: mkcol,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  COPY: (dav) => copyOrMove(dav, 'COPY'),
  MOVE: (dav) => copyOrMove(dav, 'MOVE'),
  LOCK: lock,
  UNLOCK: unlock,
};

/**
 * WebDAV class 1 and 2 at /dav/files/<username>/, /dav/shared/<username>/ (items shared with the
 * person) and /dav/spaces/<group>/, with HTTP Basic and an app password. A thin adapter: every rule
 * lives in the files service.
 */
export async function registerWebdav(app: FastifyInstance, ctx: FilesContext, service: FilesService, identity: IdentityModule): Promise<void> {
  for (const m of EXTRA_METHODS) if (!app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });

  await app.register(async (dav) => {
    // Bodies stay unread streams: PUT streams into the blob store, XML bodies are read by the handler.
    dav.removeAllContentTypeParsers();
    dav.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    dav.setErrorHandler((err, req, reply) => {
      const status = err instanceof AppError ? err.status : 500;
      // A refused upload was not read to its end: close the connection rather than leave it mid-body.
      if (!req.raw.complete) reply.header('connection', 'close');
      if (status >= 500 && !(err instanceof AppError)) reply.log.error({ err }, 'WebDAV request failed');
      if (status === 401) reply.header('www-authenticate', 'Basic realm="Tessera", charset="UTF-8"');
      const message = err instanceof AppError ? err.message : 'Something went wrong on the server.';
      void reply.status(status).type('text/plain; charset=utf-8').send(message + '\n');
    });

    const handle = async (req: FastifyRequest, reply: FastifyReply) => {
      const user = await authenticate(req, identity);
      const rawPath = req.raw.url!.split('?')[0]!;
      const location = await resolveLocation(service, user, rawPath);
      const handler = HANDLERS[req.method];
      if (!handler) throw new AppError(405, 'method_not_allowed', `${req.method} is not supported here.`);
      let ifLists = null;
      const ifHeader = req.headers.if;
      if (typeof ifHeader === 'string') {
        try {
          ifLists = parseIfHeader(ifHeader);
        } catch (e) {
          if (e instanceof IfHeaderError) throw new ValidationError('The If header is malformed.');
          throw e;
        }
      }
      const actor = { user, ip: req.ip };
      if (location.kind === 'sharedTop') {
        await sharedTop({ req, reply, user, actor, ctx, service, top: location, ifLists });
        return reply;
      }
      const target = location;
      const { node, parent } = await service.resolveWithParent(target.space, target.names);
      // The same policy as REST decides: one's own and group spaces, and through /dav/shared/ the share's role.
      if (node) await service.authorize(user, READ_METHODS.has(req.method) ? 'view' : 'edit', node, target.space);
      await handler({ req, reply, user, actor, ctx, service, target, node, parent, ifLists });
      return reply;
    };
    dav.route({ method: DAV_METHODS, url: '/dav/*', handler: handle });
  });
}

async function authenticate(req: FastifyRequest, identity: IdentityModule): Promise<UserView> {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) throw new UnauthenticatedError('Sign in with your username and an app password.');
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new UnauthenticatedError('Sign in with your username and an app password.');
  const user = await identity.service.verifyAppPassword(decoded.slice(0, colon), decoded.slice(colon + 1), req.ip);
  if (!user) throw new UnauthenticatedError('Wrong username or app password, or the account is disabled.');
  return user;
}
