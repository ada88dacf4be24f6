import { z } from 'zod';

/** Field rules shared by the REST schemas and the service (which the CLI calls directly). */
export const LANGUAGES = ['en', 'fr', 'de', 'nl'] as const;

const TIME_ZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC']);

export const usernameRule = z
  .string()
  .min(2, 'must have at least 2 characters')
  .max(64, 'must have at most 64 characters')
  .regex(/^[a-z0-9._-]+$/, 'may contain only lowercase letters, digits, dot, underscore and hyphen');

export const groupNameRule = usernameRule;

export const emailRule = z.string().max(254, 'must have at most 254 characters').pipe(z.email('is not a valid e-mail address'));

export const displayNameRule = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must have at most 200 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

// PostgreSQL text cannot hold NUL, and no legitimate input contains it.
export const noNul = (s: string) => !s.includes('\u0000');
export const safeString = () => z.string().refine(noNul, 'must not contain NUL characters');

export const descriptionRule = safeString().max(1000, 'must have at most 1000 characters');

export const languageRule = z.enum(LANGUAGES).nullable();

export const timeZoneRule = z
  .string()
  .max(64)
  .refine((tz) => TIME_ZONES.has(tz), 'is not a known time zone (use an IANA name such as Europe/Berlin)')
  .nullable();

export const quotaRule = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

export const passwordRule = z.string().max(1000, 'must have at most 1000 characters');
