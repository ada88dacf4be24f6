import type { FastifyInstance } from 'fastify';
import type { ModuleTile, TesseraModule } from '../../platform/module.js';
import type { IdentityModule } from '../identity/module.js';

/** The start page's tiles: one per module that is installed and that this person may use. */
export function createPortalModule(identity: IdentityModule, modules: () => TesseraModule[]): TesseraModule {
  return {
    id: 'portal',
    registerRoutes(app: FastifyInstance) {
      app.get('/api/portal/tiles', { preHandler: identity.guards.requireUser }, async (req) => {
        const isAdmin = req.auth!.user.isAdmin;
        const tiles: ModuleTile[] = modules()
          .flatMap((m) => m.tiles ?? [])
          .filter((t) => !t.adminOnly || isAdmin)
          .sort((a, b) => a.order - b.order);
        return { tiles };
      });
    },
  };
}
