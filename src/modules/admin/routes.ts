import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.js';
import type { TesseraModule } from '../../platform/module.js';
import { parse } from '../../platform/http/validate.js';
import type { IdentityModule } from '../identity/types.js';
import { auditQuerySchema, jobParamsSchema, jobsQuerySchema, settingsPatchSchema } from './schema.js';
import { presentAuditEntry } from './presenters.js';
import { collectStatus } from './status.js';
import type { SettingsService } from './settings.js';
import { retryJob } from './jobs.js';

export function registerAdminRoutes(
  app: FastifyInstance,
  deps: { platform: Platform; identity: IdentityModule; modules: () => TesseraModule[]; settings: SettingsService },
): void {
  const { platform, identity, settings } = deps;
  const guard = { preHandler: identity.guards.requireAdmin };

  app.get('/api/admin/audit', guard, async (req) => {
    const q = parse(auditQuerySchema, req.query, 'audit filter');
    const entries = await platform.audit.query({
      actor: q.actor,
      action: q.action,
      from: q.from ? new Date(q.from).toISOString() : undefined,
      to: q.to ? endOf(q.to) : undefined,
      text: q.text,
      beforeSeq: q.before,
      limit: q.limit ?? 100,
    });
    return { entries: entries.map(presentAuditEntry) };
  });

  app.get('/api/admin/audit/verify', guard, async () => platform.audit.verify());

  app.get('/api/admin/status', guard, async () => collectStatus(platform, deps.modules()));

  app.get('/api/admin/jobs', guard, async (req) => {
    const q = parse(jobsQuerySchema, req.query, 'job filter');
    return { jobs: await platform.jobs.list({ status: q.status, limit: q.limit ?? 200 }) };
  });

  app.post('/api/admin/jobs/:id/retry', guard, async (req, reply) => {
    const { id } = parse(jobParamsSchema, req.params, 'job id');
    await retryJob(platform, id, identity.actorOf(req));
    return reply.status(204).send();
  });

  app.get('/api/admin/settings', guard, async () => settings.get());

  app.patch('/api/admin/settings', guard, async (req) => {
    const patch = parse(settingsPatchSchema, req.body ?? {}, 'settings');
    return settings.update(patch, identity.actorOf(req));
  });
}

/** `to=2026-03-01` means up to the end of that day, as a person filtering by date expects. */
function endOf(to: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(to)) return new Date(Date.parse(to) + 86_400_000 - 1).toISOString();
  return new Date(to).toISOString();
}
