import { randomUUID } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { now } from '../../../platform/db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../platform/errors.js';
import { presentCredential, type CredentialView } from '../presenters.js';
import type { Actor, AuthContext, UserView } from '../types.js';
import { accountKey, assertNotLocked, ipKey, reserveAttempt } from './bruteForce.js';
import { auditBy, type IdentityContext } from './context.js';
import { forgetVerified } from './verifiedCache.js';
import { completeMfa, failMfa } from './mfa.js';
import type { RequestMeta } from './login.js';
import { requireUserRow } from './users.js';
import { userView } from './views.js';

/** Loaded on first use: ~20 MB of memory that a server whose people never use security keys does not need. */
const simpleWebAuthn = () => import('@simplewebauthn/server');

// A challenge is good for five minutes and one ceremony; it lives on the server-side session.
const CHALLENGE_TTL_MS = 5 * 60_000;

function relyingParty(ctx: IdentityContext): { rpID: string; origin: string } {
  const url = new URL(ctx.platform.config.publicUrl);
  return { rpID: url.hostname, origin: url.origin };
}

async function takeChallenge(ctx: IdentityContext, sessionId: string): Promise<string> {
  const s = await ctx.store.sessionById(sessionId);
  await ctx.store.updateSession(sessionId, { challenge: null, challenge_at: null });
  if (!s?.challenge || !s.challenge_at || Date.parse(s.challenge_at) + CHALLENGE_TTL_MS < Date.now()) {
    throw new ValidationError('The security key request has expired. Start again.');
  }
  return s.challenge;
}

function sessionIdOf(auth: AuthContext): string {
  if (!auth.sessionId) throw new ValidationError('Security keys need a browser session.');
  return auth.sessionId;
}

export async function registrationOptions(ctx: IdentityContext, auth: AuthContext): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const sessionId = sessionIdOf(auth);
  const existing = await ctx.store.credentialsOf(auth.user.id);
  const options = await (await simpleWebAuthn()).generateRegistrationOptions({
    rpName: 'Tessera',
    rpID: relyingParty(ctx).rpID,
    userName: auth.user.username,
    userID: new TextEncoder().encode(auth.user.id),
    userDisplayName: auth.user.displayName,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: JSON.parse(c.transports) as AuthenticatorTransportFuture[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await ctx.store.updateSession(sessionId, { challenge: options.challenge, challenge_at: now() });
  return options;
}

export async function verifyRegistration(ctx: IdentityContext, auth: AuthContext, name: string, response: RegistrationResponseJSON, actor: Actor): Promise<CredentialView> {
  const expectedChallenge = await takeChallenge(ctx, sessionIdOf(auth));
  const { rpID, origin } = relyingParty(ctx);
  let verification;
  try {
    verification = await (await simpleWebAuthn()).verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false });
  } catch (e) {
    throw new ValidationError(`The security key's answer was not accepted: ${(e as Error).message}`);
  }
  if (!verification.verified) throw new ValidationError('The security key could not be verified.');
  const { credential } = verification.registrationInfo;
  if (await ctx.store.credentialByCredentialId(credential.id)) throw new ConflictError('This security key is registered already.', 'credential_exists');
  const row = {
    id: randomUUID(),
    user_id: auth.user.id,
    credential_id: credential.id,
    public_key: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: JSON.stringify(credential.transports ?? []),
    name,
    created_at: now(),
    last_used_at: null,
  };
  await ctx.store.transaction(async (tx) => {
    await ctx.store.insertCredential(row, tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'mfa.webauthn.add', target: { type: 'user', id: auth.user.id }, details: { credential: row.id, name } }), tx);
  });
  await forgetVerified(ctx, { userId: auth.user.id });
  return presentCredential(row);
}

export async function listCredentials(ctx: IdentityContext, userId: string): Promise<CredentialView[]> {
  return (await ctx.store.credentialsOf(userId)).map(presentCredential);
}

export async function removeCredential(ctx: IdentityContext, userId: string, id: string, actor: Actor): Promise<void> {
  const row = await requireUserRow(ctx, userId);
  const view = await userView(ctx, row);
  if (view.mfaRequired && !view.totpEnabled && view.webauthnCount <= 1) {
    throw new ConflictError('A group you belong to requires two-factor authentication. Add another factor before removing this one.', 'mfa_required');
  }
  await ctx.store.transaction(async (tx) => {
    const removed = await ctx.store.deleteCredential(userId, id, tx);
    if (!removed) throw new NotFoundError('This security key does not exist (any more).');
    if (!view.totpEnabled && view.webauthnCount <= 1) await ctx.store.replaceRecoveryCodes(userId, [], tx);
    await ctx.platform.audit.append(auditBy(actor, { action: 'mfa.webauthn.remove', target: { type: 'user', id: userId }, details: { credential: id, name: removed.name } }), tx);
  });
  await forgetVerified(ctx, { userId });
}

export async function authenticationOptions(ctx: IdentityContext, auth: AuthContext): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const sessionId = sessionIdOf(auth);
  const creds = await ctx.store.credentialsOf(auth.user.id);
  if (creds.length === 0) throw new ConflictError('No security key is registered for this account.', 'no_credentials');
  const options = await (await simpleWebAuthn()).generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpID,
    allowCredentials: creds.map((c) => ({ id: c.credential_id, transports: JSON.parse(c.transports) as AuthenticatorTransportFuture[] })),
    userVerification: 'preferred',
  });
  await ctx.store.updateSession(sessionId, { challenge: options.challenge, challenge_at: now() });
  return options;
}

export async function verifyAuthentication(ctx: IdentityContext, auth: AuthContext, response: AuthenticationResponseJSON, meta: RequestMeta): Promise<UserView> {
  await assertNotLocked(ctx, [ipKey(meta.ip), accountKey(auth.user.id)]);
  const expectedChallenge = await takeChallenge(ctx, sessionIdOf(auth));
  await reserveAttempt(ctx, accountKey(auth.user.id));
  const cred = await ctx.store.credentialByCredentialId(response.id);
  if (!cred || cred.user_id !== auth.user.id) return failMfa(ctx, auth, meta, 'webauthn');
  const { rpID, origin } = relyingParty(ctx);
  let verified = false;
  let newCounter = Number(cred.counter);
  try {
    const result = await (await simpleWebAuthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
      credential: {
        id: cred.credential_id,
        publicKey: new Uint8Array(Buffer.from(cred.public_key, 'base64url')),
        counter: Number(cred.counter),
        transports: JSON.parse(cred.transports) as AuthenticatorTransportFuture[],
      },
    });
    verified = result.verified;
    newCounter = result.authenticationInfo.newCounter;
  } catch {
    verified = false;
  }
  if (!verified) return failMfa(ctx, auth, meta, 'webauthn');
  await ctx.store.updateCredentialUse(cred.id, newCounter, now());
  return completeMfa(ctx, auth, meta, 'webauthn', { credential: cred.id });
}
