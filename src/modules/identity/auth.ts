import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Config } from '../../platform/config/config.js';
import { ForbiddenError } from '../../platform/errors.js';
import { safeEqual } from '../../platform/crypto/tokens.js';
import { authorize, type AccessLevel } from './policy.js';
import type { FullIdentityService } from './service.js';
import type { Actor, IdentityGuards } from './types.js';

export const SESSION_COOKIE = 'tessera_session';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Sign-in and first-run setup are how a session starts; the Origin check still guards them.
const CSRF_EXEMPT = new Set(['/api/auth/login', '/api/setup']);

export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: config.cookieSecure,
    maxAge: config.sessionTtlHours * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: config.cookieSecure });
}

/**
 * The path the router matched. The raw URL may spell it percent-encoded (`/%61pi/me` routes to
 * `/api/me`), so a check on `req.url` could be sidestepped; the route pattern cannot.
 */
function routedPath(req: FastifyRequest): string {
  return req.routeOptions.url ?? req.url.split('?')[0]!;
}

function originAllowed(req: FastifyRequest, config: Config): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (origin === new URL(config.publicUrl).origin) return true;
  const host = req.headers.host;
  return host !== undefined && (origin === `${req.protocol}://${host}`);
}

/**
 * Resolves the session cookie into `req.auth` for every request, then enforces the CSRF rules
 * for state-changing API requests that ride on the cookie.
 */
export function registerAuthHook(app: FastifyInstance, service: FullIdentityService, config: Config): void {
  app.addHook('onRequest', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const resolved = await service.resolveSession(token);
    if (!resolved) return;
    req.auth = resolved.auth;
    // Expiry is idle time: an active session's cookie is extended whenever last_seen moves.
    if (resolved.touched) setSessionCookie(reply, config, token);
    const path = routedPath(req);
    if (!UNSAFE.has(req.method) || !path.startsWith('/api/')) return;
    if (!originAllowed(req, config)) throw new ForbiddenError('This request came from another site and was refused.', 'csrf');
    if (CSRF_EXEMPT.has(path)) return;
    const header = req.headers['x-csrf-token'];
    if (typeof header !== 'string' || !safeEqual(header, resolved.session.csrf_token)) {
      throw new ForbiddenError('The request is missing its security token (X-CSRF-Token). Reload the page and try again.', 'csrf');
    }
  });
  // Sign-in and setup without a session are still refused from foreign origins (login CSRF).
  app.addHook('onRequest', async (req) => {
    if (req.auth || !UNSAFE.has(req.method)) return;
    const path = routedPath(req);
    if (CSRF_EXEMPT.has(path) && !originAllowed(req, config)) throw new ForbiddenError('This request came from another site and was refused.', 'csrf');
  });
}

export function guard(level: AccessLevel): preHandlerAsyncHookHandler {
  return async (req) => {
    authorize(req.auth, level);
  };
}

export function createGuards(): IdentityGuards {
  return { requireUser: guard('user'), requireAdmin: guard('admin') };
}

export function actorOf(req: FastifyRequest): Actor {
  return { id: req.auth?.user.id ?? null, name: req.auth?.user.username ?? null, ip: req.ip };
}

export function metaOf(req: FastifyRequest): { ip: string; userAgent: string | null } {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null };
}
