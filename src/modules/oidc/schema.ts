import { z } from 'zod';

function isAppUrl(value: string): boolean {
  // The URL parser drops surrounding control characters and spaces; redirect URIs are matched
  // exactly, so only a URL that is already in plain form is accepted.
  if (/[\u0000-\u0020\u007f]/.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash && !value.includes('#');
}

const appUrl = z.string().max(2000).refine(isAppUrl, 'must be an absolute http:// or https:// URL without a #fragment');

// Shown on consent and sign-out pages; PostgreSQL text cannot hold NUL at all.
const appName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

export const clientCreateSchema = z
  .object({
    name: appName,
    redirectUris: z.array(appUrl).min(1, 'at least one redirect URI is needed').max(20),
    postLogoutRedirectUris: z.array(appUrl).max(20).optional(),
    public: z.boolean().optional(),
    skipConsent: z.boolean().optional(),
  })
  .strict();

export const clientPatchSchema = z
  .object({
    name: appName.optional(),
    redirectUris: z.array(appUrl).min(1, 'at least one redirect URI is needed').max(20).optional(),
    postLogoutRedirectUris: z.array(appUrl).max(20).optional(),
    skipConsent: z.boolean().optional(),
  })
  .strict();

export const clientParams = z.object({ id: z.string().min(1).max(100) }).strict();
export const interactionParams = z.object({ uid: z.string().min(1).max(100) }).strict();
/** Interaction actions carry no input; an empty JSON object is accepted for clients that always send one. */
export const emptyBody = z.object({}).strict().optional().nullable();
