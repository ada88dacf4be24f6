import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parse } from '../../platform/http/validate.js';
import type { IdentityModule } from '../identity/types.js';
import type { SpaceUsage } from './commands/spaceQuota.js';
import type { FilesService } from './service.js';

const spaceParams = z.object({ id: z.string().min(1).max(100) }).strict();
const quotaBody = z.object({ quotaBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable() }).strict();

function present(u: SpaceUsage) {
  return { id: u.space.id, kind: u.space.kind, name: u.space.name, usedBytes: u.usedBytes, quotaBytes: u.quotaBytes };
}

/** Admin REST for storage: group spaces' usage and quotas (docs/api.md "Files administration"). */
export function registerFilesAdminRoutes(app: FastifyInstance, identity: IdentityModule, service: FilesService): void {
  const guard = { preHandler: identity.guards.requireAdmin };

  app.get('/api/admin/files/spaces', guard, async () => ({ spaces: (await service.groupSpaceUsage()).map(present) }));

  app.patch('/api/admin/files/spaces/:id', guard, async (req) => {
    const { id } = parse(spaceParams, req.params);
    const { quotaBytes } = parse(quotaBody, req.body, 'quota');
    return present(await service.setGroupSpaceQuota(identity.actorOf(req), id, quotaBytes));
  });
}
