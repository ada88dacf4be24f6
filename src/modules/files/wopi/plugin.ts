import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, ValidationError } from '../../../platform/errors.js';
import type { Platform } from '../../../platform/platform.js';
import { STRICT_CSP } from '../../../platform/http/securityHeaders.js';
import { parse } from '../../../platform/http/validate.js';
import type { IdentityModule } from '../../identity/types.js';
import { WopiLockConflictError } from '../commands/wopiLocks.js';
import { InvalidWopiNameError, RelativeTargetConflictError } from '../commands/wopiFiles.js';
import { QuotaExceededError } from '../errors.js';
import { emptyBody, nodeParams } from '../schema.js';
import type { FilesService } from '../service.js';
import { actionUrlFor, DiscoveryCache, extensionOf } from './discovery.js';
import { checkFileInfo, FILE_OVERRIDES, getFile, header, putFile, type WopiCall } from './operations.js';
import { encodeUtf7 } from './utf7.js';

// Editors add access_token_ttl to some calls; nothing else is expected in the query.
const wopiQuery = z.object({ access_token: z.string().min(1).max(4096), access_token_ttl: z.string().max(20).optional() }).strict();

/**
 * The WOPI host (docs/protocols/wopi.md): /wopi/files/:id for office editors such as Collabora
 * Online, the token route editors' host pages use, and the host page's own CSP. A thin adapter:
 * the rules live in the files service (commands/wopi*.ts).
 */
export async function registerWopi(app: FastifyInstance, platform: Platform, service: FilesService, identity: IdentityModule): Promise<void> {
  const { requireUser } = identity.guards;
  const publicUrl = platform.config.publicUrl;
  const filesUrl = `${publicUrl}/wopi/files/`;
  const discovery = platform.config.wopiDiscoveryUrl ? new DiscoveryCache(platform.config.wopiDiscoveryUrl, platform.log) : null;

  app.post('/api/files/nodes/:id/wopi', { preHandler: requireUser }, async (req) => {
    const { id } = parse(nodeParams, req.params);
    parse(emptyBody, req.body);
    const issued = await service.wopi.issueToken(req.auth!.user, id);
    const wopiSrc = filesUrl + encodeURIComponent(issued.node.id);
    let actionUrl: string | undefined;
    if (discovery) {
      const actions = (await discovery.get()).actions.get(extensionOf(issued.node.name));
      const urlsrc = issued.canWrite ? (actions?.edit ?? actions?.view) : (actions?.view ?? actions?.edit);
      if (urlsrc) actionUrl = actionUrlFor(urlsrc, wopiSrc);
    }
    return { accessToken: issued.token, accessTokenTtl: issued.expiresAt, wopiSrc, canWrite: issued.canWrite, ...(actionUrl ? { actionUrl } : {}) };
  });

  // Which file types the web app offers "Open in editor" for; empty when no editor is configured.
  app.get('/api/files/editor', { preHandler: requireUser }, async (req) => {
    if (!discovery) return { enabled: false, extensions: [] };
    try {
      const d = await discovery.get();
      return { enabled: true, extensions: [...d.actions.keys()].sort() };
    } catch (e) {
      req.log.warn({ err: e }, 'office editor unavailable');
      return { enabled: false, extensions: [] };
    }
  });

  // The host page is the web app; its CSP alone may frame the editor and post the token to it.
  app.get('/files/edit/:id', async (req, reply) => {
    parse(nodeParams, req.params);
    let csp = STRICT_CSP;
    if (discovery) {
      const { origin } = await discovery.get().catch(() => ({ origin: null }));
      if (origin) csp = csp.replace("form-action 'self'", `form-action 'self' ${origin}`) + `; frame-src ${origin}`;
    }
    reply.header('content-security-policy', csp).header('cache-control', 'no-cache');
    if (typeof reply.sendFile !== 'function') return reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built: run npm run build.\n');
    return reply.sendFile('index.html');
  });

  await app.register(async (wopi) => {
    // Editors send any content type (or none); bodies stay streams for PutFile and Save As.
    wopi.removeAllContentTypeParsers();
    wopi.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    wopi.setErrorHandler((err, req, reply) => answerError(err instanceof Error ? err : new Error(String(err)), req, reply));

    const open = async (req: FastifyRequest, reply: FastifyReply): Promise<WopiCall> => {
      const { id } = parse(nodeParams, req.params);
      const { access_token } = parse(wopiQuery, req.query, 'query');
      const access = await service.wopi.openToken(access_token, id);
      return { req, reply, service, access, actor: { user: access.user, ip: req.ip }, filesUrl, publicUrl };
    };

    wopi.get('/wopi/files/:id', async (req, reply) => {
      await checkFileInfo(await open(req, reply));
      return reply;
    });
    wopi.get('/wopi/files/:id/contents', async (req, reply) => {
      await getFile(await open(req, reply));
      return reply;
    });
    wopi.post('/wopi/files/:id/contents', async (req, reply) => {
      const call = await open(req, reply);
      const override = header(req, 'x-wopi-override');
      if (override !== 'PUT') throw new AppError(501, 'not_implemented', `X-WOPI-Override ${override ?? '(missing)'} is not supported on file contents; send PUT.`);
      await putFile(call);
      return reply;
    });
    wopi.post('/wopi/files/:id', async (req, reply) => {
      const call = await open(req, reply);
      const override = header(req, 'x-wopi-override') ?? '';
      const handler = FILE_OVERRIDES[override];
      if (!handler) throw new AppError(501, 'not_implemented', `X-WOPI-Override ${override || '(missing)'} is not supported.`);
      await handler(call);
      return reply;
    });
  });
}

/** WOPI status codes and headers for the domain's errors; bodies keep the platform's JSON shape. */
function answerError(err: Error, req: FastifyRequest, reply: FastifyReply): void {
  let status = err instanceof AppError ? err.status : 500;
  if (err instanceof WopiLockConflictError) {
    status = 409;
    reply.header('x-wopi-lock', err.currentLock).header('x-wopi-lockfailurereason', err.reason);
    if (err.lockedByOtherInterface) reply.header('x-wopi-lockedbyotherinterface', 'true');
  } else if (err instanceof RelativeTargetConflictError) {
    reply.header('x-wopi-validrelativetarget', encodeUtf7(err.validTarget));
    if (err.currentLock !== null) reply.header('x-wopi-lock', err.currentLock);
  } else if (err instanceof InvalidWopiNameError) {
    reply.header('x-wopi-invalidfilenameerror', err.problem);
  } else if (err instanceof QuotaExceededError) {
    // The spec's "file too large" is 413; the message still says why.
    status = 413;
  } else if (err instanceof ValidationError || (err as { statusCode?: number }).statusCode === 400) {
    status = 400;
  }
  if (status >= 500 && status !== 501 && status !== 503) req.log.error({ err }, 'WOPI request failed');
  const body = err instanceof AppError ? { error: { code: err.code, message: err.message } } : { error: { code: 'internal', message: 'Something went wrong on the server.' } };
  void reply.status(status).type('application/json; charset=utf-8').send(body);
}
