import type { FastifyInstance } from 'fastify';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { parse } from '../../../platform/http/validate.js';
import { actorOf, guard } from '../auth.js';
import { AVATAR_MAX_BYTES } from '../commands/profile.js';
import { appPasswordBody, changePasswordBody, codeBody, emptyBody, idParams, passwordBody, updateMeBody, webauthnRegisterBody } from '../schema.js';
import type { RouteDeps } from './deps.js';

export async function registerMeRoutes(app: FastifyInstance, { service }: RouteDeps): Promise<void> {
  const enrolling = { preHandler: guard('enrolling') };
  const user = { preHandler: guard('user') };

  app.get('/api/me', enrolling, async (req) => req.auth!.user);

  app.patch('/api/me', enrolling, async (req) => {
    const patch = parse(updateMeBody, req.body);
    return service.updateOwnProfile(req.auth!.user.id, patch, actorOf(req));
  });

  // Raw image bodies are accepted only here, so the parser lives in its own encapsulated scope.
  await app.register(async (scope) => {
    scope.addContentTypeParser(['image/png', 'image/jpeg', 'image/webp'], { parseAs: 'buffer', bodyLimit: AVATAR_MAX_BYTES }, (_req, body, done) => done(null, body));
    scope.put('/api/me/avatar', user, async (req) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      return service.setAvatar(req.auth!.user.id, body, actorOf(req));
    });
  });

  app.delete('/api/me/avatar', user, async (req) => service.removeAvatar(req.auth!.user.id, actorOf(req)));

  app.get('/api/users/:id/avatar', user, async (req, reply) => {
    const { id } = parse(idParams, req.params);
    const avatar = await service.readAvatar(id);
    return reply.type(avatar.type).header('cache-control', 'private, max-age=86400').send(avatar.body);
  });

  app.post('/api/me/password', user, async (req, reply) => {
    const body = parse(changePasswordBody, req.body);
    await service.changePassword(req.auth!.user.id, req.auth!.sessionId, body.currentPassword, body.newPassword, actorOf(req));
    return reply.status(204).send();
  });

  app.post('/api/me/totp/setup', enrolling, async (req) => {
    parse(emptyBody, req.body);
    return service.setupTotp(req.auth!.user.id);
  });

  app.post('/api/me/totp/enable', enrolling, async (req) => {
    const { code } = parse(codeBody, req.body);
    return service.enableTotp(req.auth!.user.id, code, actorOf(req));
  });

  app.delete('/api/me/totp', enrolling, async (req, reply) => {
    const { password } = parse(passwordBody, req.body);
    await service.disableTotp(req.auth!.user.id, password, actorOf(req));
    return reply.status(204).send();
  });

  app.post('/api/me/recovery-codes', enrolling, async (req) => {
    const { password } = parse(passwordBody, req.body);
    return service.regenerateRecoveryCodes(req.auth!.user.id, password, actorOf(req));
  });

  app.post('/api/me/webauthn/register/options', enrolling, async (req) => {
    parse(emptyBody, req.body);
    return service.webauthnRegisterOptions(req.auth!);
  });

  app.post('/api/me/webauthn/register/verify', enrolling, async (req) => {
    const { name, response } = parse(webauthnRegisterBody, req.body);
    return service.webauthnRegisterVerify(req.auth!, name, response as RegistrationResponseJSON, actorOf(req));
  });

  app.get('/api/me/webauthn', enrolling, async (req) => ({ credentials: await service.listCredentials(req.auth!.user.id) }));

  app.delete('/api/me/webauthn/:id', enrolling, async (req, reply) => {
    const { id } = parse(idParams, req.params);
    await service.removeCredential(req.auth!.user.id, id, actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/me/app-passwords', user, async (req) => ({ appPasswords: await service.listAppPasswords(req.auth!.user.id) }));

  app.post('/api/me/app-passwords', user, async (req, reply) => {
    const { name } = parse(appPasswordBody, req.body);
    return reply.status(201).send(await service.createAppPassword(req.auth!.user.id, name, actorOf(req)));
  });

  app.delete('/api/me/app-passwords/:id', user, async (req, reply) => {
    const { id } = parse(idParams, req.params);
    await service.deleteAppPassword(req.auth!.user.id, id, actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/me/sessions', user, async (req) => ({ sessions: await service.listOwnSessions(req.auth!.user.id, req.auth!.sessionId) }));

  app.delete('/api/me/sessions/:id', user, async (req, reply) => {
    const { id } = parse(idParams, req.params);
    await service.revokeOwnSession(req.auth!.user.id, id, actorOf(req));
    return reply.status(204).send();
  });
}
