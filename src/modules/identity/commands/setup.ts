import { now } from '../../../platform/db/database.js';
import { ConflictError, ForbiddenError } from '../../../platform/errors.js';
import { randomToken, sha256Hex } from '../../../platform/crypto/tokens.js';
import type { UserView } from '../types.js';
import type { IdentityContext } from './context.js';
import type { RequestMeta } from './login.js';
import { createSession } from './sessions.js';
import { createUser } from './users.js';

const SETTING = 'identity.setupTokenHash';

/**
 * First run: a single-use token whose hash is kept in the settings table; the link is logged once
 * at warn level so whoever started the server (and only they) can create the first administrator.
 */
export async function createSetupToken(ctx: IdentityContext): Promise<string> {
  const token = randomToken(32);
  await ctx.store.putSetting(SETTING, sha256Hex(token), now());
  const setupUrl = `${ctx.platform.config.publicUrl}/setup?token=${token}`;
  ctx.platform.log.warn({ setupUrl }, `Open this link to create the first administrator: ${setupUrl}`);
  return token;
}

export async function setupNeeded(ctx: IdentityContext): Promise<boolean> {
  return (await ctx.store.countUsers()) === 0;
}

export async function completeSetup(
  ctx: IdentityContext,
  input: { token: string; username: string; email: string; displayName: string; password: string },
  meta: RequestMeta,
): Promise<{ user: UserView; csrfToken: string; token: string }> {
  if (!(await setupNeeded(ctx))) throw new ConflictError('Tessera is set up already. Sign in instead.', 'setup_done');
  return ctx.store.transaction(async (tx) => {
    // Taking the token and creating the admin commit together: a second request finds no token.
    if (!(await ctx.store.takeSetting(SETTING, sha256Hex(input.token), tx))) {
      throw new ForbiddenError('This set-up link is not valid. Use the newest link from the server log.', 'invalid_setup_token');
    }
    if ((await ctx.store.countUsers(tx)) > 0) throw new ConflictError('Tessera is set up already. Sign in instead.', 'setup_done');
    const actor = { id: null, name: 'setup', ip: meta.ip };
    const { token: _token, ...person } = input;
    const { user } = await createUser(ctx, { ...person, isAdmin: true }, actor, tx);
    await ctx.platform.audit.append({ action: 'setup.complete', actor: { id: user.id, name: user.username }, ip: meta.ip, target: { type: 'user', id: user.id } }, tx);
    const session = await createSession(ctx, user.id, { mfaPending: false, ip: meta.ip, userAgent: meta.userAgent }, tx);
    await ctx.store.updateUser(user.id, { last_login_at: now() }, tx);
    return { user, csrfToken: session.row.csrf_token, token: session.token };
  });
}
