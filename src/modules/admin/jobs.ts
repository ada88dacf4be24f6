import type { Platform } from '../../platform/platform.js';
import type { Actor } from '../identity/types.js';

/** An administrator re-queuing a job is a deliberate intervention, so it is audited. */
export async function retryJob(platform: Platform, id: string, actor: Actor): Promise<void> {
  await platform.jobs.retry(id);
  await platform.audit.append({ action: 'admin.job.retry', actor, ip: actor.ip ?? null, target: { type: 'job', id } });
}
