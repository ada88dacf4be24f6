import { z } from 'zod';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date or date-time');

export const auditQuerySchema = z
  .object({
    actor: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(200).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    text: z.string().min(1).max(200).optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });

export const jobsQuerySchema = z
  .object({
    status: z.enum(['queued', 'running', 'done', 'failed']).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const jobParamsSchema = z.object({ id: z.string().min(1).max(200) }).strict();

export const settingsPatchSchema = z
  .object({
    instanceName: z.string().trim().min(1).max(100).optional(),
    defaultLanguage: z.enum(['en', 'fr', 'de', 'nl']).optional(),
    // Identity never accepts fewer than 10 characters, so a lower value would be a setting that lies.
    passwordMinLength: z.number().int().min(10).max(128).optional(),
  })
  .strict();
