import type { FastifyInstance } from 'fastify';
import { parse } from '../../../platform/http/validate.js';
import { actorOf, clearSessionCookie, guard, metaOf, SESSION_COOKIE, setSessionCookie } from '../auth.js';
import { codeBody, emptyBody, loginBody, webauthnVerifyBody } from '../schema.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { RouteDeps } from './deps.js';

export function registerAuthRoutes(app: FastifyInstance, { service, config }: RouteDeps): void {
  app.post('/api/auth/login', async (req, reply) => {
    const body = parse(loginBody, req.body);
    const { token, ...answer } = await service.login(body, metaOf(req), req.cookies[SESSION_COOKIE]);
    setSessionCookie(reply, config, token);
    return answer;
  });

  const pending = { preHandler: guard('mfaPending') };
  app.post('/api/auth/mfa/totp', pending, async (req) => {
    const { code } = parse(codeBody, req.body);
    return { status: 'ok', user: await service.verifyTotpStep(req.auth!, code, metaOf(req)) };
  });

  app.post('/api/auth/mfa/recovery', pending, async (req) => {
    const { code } = parse(codeBody, req.body);
    const { user, remainingRecoveryCodes } = await service.verifyRecoveryStep(req.auth!, code, metaOf(req));
    return { status: 'ok', user, remainingRecoveryCodes };
  });

  app.post('/api/auth/mfa/webauthn/options', pending, async (req) => {
    parse(emptyBody, req.body);
    return service.webauthnLoginOptions(req.auth!);
  });

  app.post('/api/auth/mfa/webauthn/verify', pending, async (req) => {
    const { response } = parse(webauthnVerifyBody, req.body);
    return { status: 'ok', user: await service.webauthnLoginVerify(req.auth!, response as AuthenticationResponseJSON, metaOf(req)) };
  });

  app.post('/api/auth/logout', async (req, reply) => {
    if (req.auth?.sessionId) await service.endSession(req.auth.sessionId, actorOf(req));
    clearSessionCookie(reply, config);
    return reply.status(204).send();
  });

  // Not while a second factor is pending: a password alone must not end the person's sessions.
  app.post('/api/auth/logout-everywhere', { preHandler: guard('enrolling') }, async (req, reply) => {
    await service.endAllSessions(req.auth!.user.id, actorOf(req));
    clearSessionCookie(reply, config);
    return reply.status(204).send();
  });

  app.get('/api/session', { preHandler: guard('session') }, async (req) => {
    const auth = req.auth!;
    return {
      user: auth.user,
      csrfToken: auth.csrfToken,
      mfaPending: auth.mfaPending,
      enrollmentRequired: auth.enrollmentRequired,
      ...(auth.mfaPending ? { mfaMethods: await service.mfaMethodsOf(auth.user) } : {}),
    };
  });
}
