import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse } from '../../platform/http/validate.js';
import { UnauthenticatedError } from '../../platform/errors.js';
import type { AuthContext, IdentityModule } from '../identity/types.js';
import type { OidcClientService } from './clients.js';
import type { InteractionService } from './interactions.js';
import { oidcPolicy } from './policy.js';
import { presentClient, presentInteraction } from './presenters.js';
import { clientCreateSchema, clientParams, clientPatchSchema, emptyBody, interactionParams } from './schema.js';

export function registerOidcRoutes(app: FastifyInstance, identity: IdentityModule, clients: OidcClientService, interactions: InteractionService): void {
  const { requireAdmin, requireUser } = identity.guards;
  const admin = (req: FastifyRequest): AuthContext => {
    const auth = signedIn(req);
    oidcPolicy.assertCanManageClients(auth.user);
    return auth;
  };

  app.get('/api/admin/oidc/clients', { preHandler: requireAdmin }, async (req) => {
    admin(req);
    return { clients: (await clients.list()).map(presentClient) };
  });

  app.post('/api/admin/oidc/clients', { preHandler: requireAdmin }, async (req, reply) => {
    admin(req);
    const input = parse(clientCreateSchema, req.body, 'app');
    const { client, clientSecret } = await clients.create(input, identity.actorOf(req));
    return reply.status(201).send({ client: presentClient(client), ...(clientSecret ? { clientSecret } : {}) });
  });

  app.get('/api/admin/oidc/clients/:id', { preHandler: requireAdmin }, async (req) => {
    admin(req);
    const { id } = parse(clientParams, req.params);
    return presentClient(await clients.get(id));
  });

  app.patch('/api/admin/oidc/clients/:id', { preHandler: requireAdmin }, async (req) => {
    admin(req);
    const { id } = parse(clientParams, req.params);
    const patch = parse(clientPatchSchema, req.body, 'app');
    return presentClient(await clients.update(id, patch, identity.actorOf(req)));
  });

  app.delete('/api/admin/oidc/clients/:id', { preHandler: requireAdmin }, async (req, reply) => {
    admin(req);
    const { id } = parse(clientParams, req.params);
    await clients.delete(id, identity.actorOf(req));
    return reply.status(204).send();
  });

  app.post('/api/admin/oidc/clients/:id/secret', { preHandler: requireAdmin }, async (req) => {
    admin(req);
    const { id } = parse(clientParams, req.params);
    parse(emptyBody, req.body);
    const { client, clientSecret } = await clients.regenerateSecret(id, identity.actorOf(req));
    return { client: presentClient(client), clientSecret };
  });

  // Interaction API for the web app's /interaction/:uid page. Not signed in is an answer here
  // (signedIn: false), not an error: the page then sends the person to /login.
  app.get('/api/oidc/interaction/:uid', async (req, reply) => {
    const { uid } = parse(interactionParams, req.params);
    return presentInteraction(await interactions.details({ req: req.raw, res: reply.raw }, uid, req.auth));
  });

  app.post('/api/oidc/interaction/:uid/login', { preHandler: requireUser }, async (req, reply) => {
    const { uid } = parse(interactionParams, req.params);
    parse(emptyBody, req.body);
    return interactions.login({ req: req.raw, res: reply.raw }, uid, signedIn(req), identity.actorOf(req));
  });

  app.post('/api/oidc/interaction/:uid/confirm', { preHandler: requireUser }, async (req, reply) => {
    const { uid } = parse(interactionParams, req.params);
    parse(emptyBody, req.body);
    return interactions.confirm({ req: req.raw, res: reply.raw }, uid, signedIn(req), identity.actorOf(req));
  });

  app.post('/api/oidc/interaction/:uid/abort', async (req, reply) => {
    const { uid } = parse(interactionParams, req.params);
    parse(emptyBody, req.body);
    return interactions.abort({ req: req.raw, res: reply.raw }, uid, identity.actorOf(req));
  });
}

function signedIn(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new UnauthenticatedError();
  return req.auth;
}
