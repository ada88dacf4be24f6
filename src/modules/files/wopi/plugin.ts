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
import { ProofRefusedError, verifyProof } from './proof.js';
import { encodeUtf7 } from './utf7.js';

/** A signature that does not verify re-reads the discovery at most this often (key rotation). */
const PROOF_REFRESH_MS = 5 * 60_000;

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
    await service.markOpened(req.auth!.user, issued.node);
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

  /**
   * X-WOPI-Proof (proof.ts): with `auto`, checked whenever the discovery publishes proof keys;
   * with `require`, a discovery without them refuses every request. Before the token is opened,
   * so a refused request touches nothing. The URL is the one the editor was given (WOPISrc is
   * built on the public URL), not the one a reverse proxy passed on.
   */
  const reportedUnreadable = new WeakSet<object>();
  const checkProof = async (req: FastifyRequest, accessToken: string, nodeId: string): Promise<void> => {
    const mode = platform.config.wopiProof;
    if (mode === 'off') return;
    if (!discovery) {
      if (mode === 'require') await refuse(req, nodeId, 'no_proof_keys');
      return;
    }
    const d = await discovery.get();
    if (d.proof.kind === 'none') {
      if (mode === 'require') await refuse(req, nodeId, 'no_proof_keys');
      return;
    }
    if (d.proof.kind === 'unreadable') {
      // Once per discovery read, not once per request.
      if (!reportedUnreadable.has(d)) {
        reportedUnreadable.add(d);
        req.log.error({ problem: d.proof.problem }, 'the office editor publishes proof keys Tessera cannot read; WOPI requests are refused (TESSERA_WOPI_PROOF=off turns the check off)');
      }
      await refuse(req, nodeId, 'unreadable_proof_keys');
      return;
    }
    const input = {
      accessToken,
      url: publicUrl + req.url,
      timestamp: header(req, 'x-wopi-timestamp'),
      proof: header(req, 'x-wopi-proof'),
      proofOld: header(req, 'x-wopi-proofold'),
    };
    let verdict = verifyProof(d.proof.keys, input);
    if (!verdict.ok && verdict.reason === 'bad_signature') {
      // The editor may have rotated its keys since the discovery was read.
      const fresh = await discovery.refresh(PROOF_REFRESH_MS);
      if (fresh !== d && fresh.proof.kind === 'keys') {
        verdict = verifyProof(fresh.proof.keys, input);
      }
    }
    if (!verdict.ok) await refuse(req, nodeId, verdict.reason);
  };

  const refuse = async (req: FastifyRequest, nodeId: string, reason: ProofRefusedError['reason']): Promise<never> => {
    const path = req.url.split('?')[0];
    req.log.warn({ reason, method: req.method, path, override: header(req, 'x-wopi-override'), ip: req.ip }, 'WOPI request refused: not signed by the office editor');
    await platform.audit.append({
      action: 'files.wopi.proof_refused',
      actor: null,
      ip: req.ip,
      outcome: 'failure',
      target: { type: 'file', id: nodeId },
      details: { reason, method: req.method, override: header(req, 'x-wopi-override') },
    });
    throw new ProofRefusedError(reason);
  };

  await app.register(async (wopi) => {
    // Editors send any content type (or none); bodies stay streams for PutFile and Save As.
    wopi.removeAllContentTypeParsers();
    wopi.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    wopi.setErrorHandler((err, req, reply) => answerError(err instanceof Error ? err : new Error(String(err)), req, reply));

    const open = async (req: FastifyRequest, reply: FastifyReply): Promise<WopiCall> => {
      const { id } = parse(nodeParams, req.params);
      const { access_token } = parse(wopiQuery, req.query, 'query');
      await checkProof(req, access_token, id);
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
  if (err instanceof ProofRefusedError) {
    // The spec asks for 500 here (docs/protocols/wopi.md); the refusal is logged and audited already.
    void reply.status(500).type('application/json; charset=utf-8').send({ error: { code: 'wopi_proof_invalid', message: PROOF_MESSAGES[err.reason] } });
    return;
  }
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

const PROOF_MESSAGES: Record<ProofRefusedError['reason'], string> = {
  missing_proof: 'This request carries no X-WOPI-Proof and X-WOPI-TimeStamp: only the configured office editor may call the WOPI endpoints.',
  bad_timestamp: 'X-WOPI-TimeStamp is not a valid timestamp.',
  stale_timestamp: 'X-WOPI-TimeStamp is more than 20 minutes away from now: the request is refused as a replay (check the clocks of Tessera and the editor).',
  bad_signature: 'X-WOPI-Proof does not verify with the office editor\'s proof keys.',
  no_proof_keys: 'TESSERA_WOPI_PROOF=require, but the office editor publishes no proof keys in its discovery.',
  unreadable_proof_keys: 'The office editor publishes proof keys Tessera cannot read; the administrator can see why in the server log.',
};
