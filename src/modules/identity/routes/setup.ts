import type { FastifyInstance } from 'fastify';
import { parse } from '../../../platform/http/validate.js';
import { metaOf, setSessionCookie } from '../auth.js';
import { setupBody } from '../schema.js';
import type { RouteDeps } from './deps.js';

export function registerSetupRoutes(app: FastifyInstance, { service, config }: RouteDeps): void {
  app.get('/api/setup', async () => ({ needed: await service.setupNeeded() }));

  app.post('/api/setup', async (req, reply) => {
    const body = parse(setupBody, req.body);
    const result = await service.completeSetup(body, metaOf(req));
    setSessionCookie(reply, config, result.token);
    return reply.status(201).send({ user: result.user, csrfToken: result.csrfToken });
  });
}
