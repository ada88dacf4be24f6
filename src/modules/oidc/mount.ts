import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { STRICT_CSP } from '../../platform/http/securityHeaders.js';

export const MOUNT_PATH = '/oidc';

/**
 * Hands /oidc and /oidc/* to oidc-provider (a Koa app). The routes live in their own plugin
 * scope whose only content-type parser leaves the body stream unread, because the provider
 * parses its own form bodies. Hijacked replies skip Fastify's onSend hooks, so the platform's
 * security headers are set here; the provider adds its inline-script hashes to this CSP.
 */
export async function mountProvider(app: FastifyInstance, provider: Provider, https: boolean): Promise<void> {
  const callback = provider.callback();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.hijack();
      const raw = req.raw as IncomingMessage & { originalUrl?: string };
      const res: ServerResponse = reply.raw;
      setSecurityHeaders(res, https);
      // The provider derives its mount point from originalUrl minus url (as under Express).
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '/').slice(MOUNT_PATH.length) || '/';
      if (!raw.url.startsWith('/')) raw.url = `/${raw.url}`;
      await callback(raw, res);
    };
    scope.all(MOUNT_PATH, handler);
    scope.all(`${MOUNT_PATH}/*`, handler);
  });
}

function setSecurityHeaders(res: ServerResponse, https: boolean): void {
  res.setHeader('content-security-policy', STRICT_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  if (https) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
}
