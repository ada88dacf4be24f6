import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parse } from '../../../platform/http/validate.js';
import type { IdentityModule } from '../../identity/types.js';
import type { FilesContext } from '../context.js';
import { deleteQuarantined, listQuarantine, presentQuarantined } from './quarantine.js';

const quarantineQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();
const quarantineParams = z.object({ id: z.string().min(1).max(100) }).strict();

/** Admin REST for the virus quarantine (docs/api.md "Virus scanning"). */
export function registerQuarantineRoutes(app: FastifyInstance, ctx: FilesContext, identity: IdentityModule): void {
  const guard = { preHandler: identity.guards.requireAdmin };

  app.get('/api/admin/files/quarantine', guard, async (req) => {
    const page = parse(quarantineQuery, req.query, 'query');
    const items = await listQuarantine(ctx, page);
    return { items: items.map(presentQuarantined), mode: ctx.scanner?.mode ?? null, limit: page.limit, offset: page.offset };
  });

  app.delete('/api/admin/files/quarantine/:id', guard, async (req, reply) => {
    const { id } = parse(quarantineParams, req.params);
    await deleteQuarantined(ctx, identity.actorOf(req), id);
    return reply.status(204).send();
  });
}
