import type { AuthContext, IdentityService } from '../identity/types.js';

/** Identity's browser session cookie (docs/api.md "Authentication"). */
const SESSION_COOKIE = 'tessera_session';

/** The Tessera session of a request the provider (Koa, not Fastify) is handling. */
export async function tesseraAuthFromCookies(identity: IdentityService, cookieHeader: string | undefined): Promise<AuthContext | null> {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (!value) return null;
    try {
      return await identity.userForSessionToken(decodeURIComponent(value));
    } catch {
      return null;
    }
  }
  return null;
}
