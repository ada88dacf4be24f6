import type { FastifyInstance } from 'fastify';
import { parse } from '../../../platform/http/validate.js';
import { actorOf, guard } from '../auth.js';
import {
  addMemberBody,
  createGroupBody,
  createUserBody,
  emptyBody,
  idParams,
  keyParams,
  listUsersQuery,
  memberParams,
  resetPasswordBody,
  updateGroupBody,
  updateUserBody,
} from '../schema.js';
import type { RouteDeps } from './deps.js';

export function registerAdminRoutes(app: FastifyInstance, { service }: RouteDeps): void {
  const admin = { preHandler: guard('admin') };

  app.get('/api/admin/users', admin, async (req) => {
    const q = parse(listUsersQuery, req.query, 'query');
    return service.listUsers({ query: q.q, limit: q.limit, offset: q.offset });
  });

  app.post('/api/admin/users', admin, async (req, reply) => {
    const body = parse(createUserBody, req.body);
    return reply.status(201).send(await service.createUser(body, actorOf(req)));
  });

  app.get('/api/admin/users/:id', admin, async (req) => service.userDetail(parse(idParams, req.params).id));

  app.patch('/api/admin/users/:id', admin, async (req) => {
    const { id } = parse(idParams, req.params);
    return service.updateUser(id, parse(updateUserBody, req.body), actorOf(req));
  });

  app.post('/api/admin/users/:id/disable', admin, async (req) => {
    parse(emptyBody, req.body);
    return service.disableUser(parse(idParams, req.params).id, actorOf(req));
  });

  app.post('/api/admin/users/:id/enable', admin, async (req) => {
    parse(emptyBody, req.body);
    return service.enableUser(parse(idParams, req.params).id, actorOf(req));
  });

  app.post('/api/admin/users/:id/reset-password', admin, async (req) => {
    const body = parse(resetPasswordBody, req.body);
    return { password: await service.resetPassword(parse(idParams, req.params).id, body?.password, actorOf(req)) };
  });

  app.post('/api/admin/users/:id/unlock', admin, async (req, reply) => {
    parse(emptyBody, req.body);
    await service.unlockUser(parse(idParams, req.params).id, actorOf(req));
    return reply.status(204).send();
  });

  app.delete('/api/admin/users/:id', admin, async (req, reply) => {
    await service.deleteUser(parse(idParams, req.params).id, actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/admin/groups', admin, async () => ({ groups: await service.listGroups() }));

  app.post('/api/admin/groups', admin, async (req, reply) => {
    const body = parse(createGroupBody, req.body);
    return reply.status(201).send(await service.createGroup(body, actorOf(req)));
  });

  app.get('/api/admin/groups/:id', admin, async (req) => service.groupDetail(parse(idParams, req.params).id));

  app.patch('/api/admin/groups/:id', admin, async (req) => {
    const { id } = parse(idParams, req.params);
    return service.updateGroup(id, parse(updateGroupBody, req.body), actorOf(req));
  });

  app.delete('/api/admin/groups/:id', admin, async (req, reply) => {
    await service.deleteGroup(parse(idParams, req.params).id, actorOf(req));
    return reply.status(204).send();
  });

  app.post('/api/admin/groups/:id/members', admin, async (req, reply) => {
    const { id } = parse(idParams, req.params);
    await service.addGroupMember(id, parse(addMemberBody, req.body), actorOf(req));
    return reply.status(204).send();
  });

  app.delete('/api/admin/groups/:id/members/:type/:memberId', admin, async (req, reply) => {
    const p = parse(memberParams, req.params);
    await service.removeGroupMember(p.id, { type: p.type, id: p.memberId }, actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/admin/sessions', admin, async () => ({ sessions: await service.listAllSessions() }));

  app.delete('/api/admin/sessions/:id', admin, async (req, reply) => {
    await service.adminRevokeSession(parse(idParams, req.params).id, actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/admin/lockouts', admin, async () => ({ lockouts: await service.listLockouts() }));

  app.delete('/api/admin/lockouts/:key', admin, async (req, reply) => {
    await service.liftLockout(parse(keyParams, req.params).key, actorOf(req));
    return reply.status(204).send();
  });
}
