import { z } from 'zod';
import { safeString, descriptionRule, displayNameRule, emailRule, groupNameRule, languageRule, passwordRule, quotaRule, timeZoneRule, usernameRule } from './rules.js';

/** Request shapes of identity's REST routes (docs/api.md). Every object is strict. */
const id = safeString().min(1).max(100);
const code = safeString().min(1).max(64);
const login = safeString().min(1).max(254);

export const setupBody = z
  .object({ token: safeString().min(1).max(200), username: usernameRule, email: emailRule, displayName: displayNameRule, password: passwordRule })
  .strict();

export const loginBody = z.object({ login, password: z.string().min(1).max(1000) }).strict();
export const codeBody = z.object({ code }).strict();
export const passwordBody = z.object({ password: z.string().min(1).max(1000) }).strict();
export const emptyBody = z.union([z.undefined(), z.null(), z.object({}).strict()]);

// WebAuthn answers are checked cryptographically by @simplewebauthn; here only their outline.
const webauthnResponse = z.looseObject({
  id: z.string().min(1).max(2000),
  rawId: z.string().min(1).max(2000),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().max(20000) }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});
export const registrationResponse = webauthnResponse.extend({
  response: z.looseObject({ clientDataJSON: z.string().max(20000), attestationObject: z.string().max(100000), transports: z.array(z.string().max(32)).max(10).optional() }),
});
export const authenticationResponse = webauthnResponse.extend({
  response: z.looseObject({
    clientDataJSON: z.string().max(20000),
    authenticatorData: z.string().max(20000),
    signature: z.string().max(2000),
    userHandle: z.string().max(2000).optional(),
  }),
});
export const webauthnVerifyBody = z.object({ response: authenticationResponse }).strict();
export const webauthnRegisterBody = z.object({ name: displayNameRule, response: registrationResponse }).strict();

export const updateMeBody = z.object({ displayName: displayNameRule.optional(), language: languageRule.optional(), timeZone: timeZoneRule.optional() }).strict();
export const changePasswordBody = z.object({ currentPassword: z.string().min(1).max(1000), newPassword: passwordRule }).strict();
export const appPasswordBody = z.object({ name: displayNameRule }).strict();

export const idParams = z.object({ id }).strict();
export const memberParams = z.object({ id, type: z.enum(['user', 'group']), memberId: id }).strict();
export const keyParams = z.object({ key: safeString().min(1).max(400) }).strict();

export const listUsersQuery = z
  .object({
    q: safeString().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  })
  .strict();

export const createUserBody = z
  .object({
    username: usernameRule,
    email: emailRule,
    displayName: displayNameRule,
    password: passwordRule.optional(),
    isAdmin: z.boolean().optional(),
    language: languageRule.optional(),
    timeZone: timeZoneRule.optional(),
    quotaBytes: quotaRule.optional(),
  })
  .strict();

export const updateUserBody = z
  .object({
    email: emailRule.optional(),
    displayName: displayNameRule.optional(),
    isAdmin: z.boolean().optional(),
    language: languageRule.optional(),
    timeZone: timeZoneRule.optional(),
    quotaBytes: quotaRule.optional(),
  })
  .strict();

export const resetPasswordBody = z.union([z.undefined(), z.null(), z.object({ password: passwordRule.optional() }).strict()]);

export const createGroupBody = z
  .object({ name: groupNameRule, displayName: displayNameRule, description: descriptionRule.optional(), require2fa: z.boolean().optional() })
  .strict();
export const updateGroupBody = z.object({ displayName: displayNameRule.optional(), description: descriptionRule.optional(), require2fa: z.boolean().optional() }).strict();
export const addMemberBody = z.object({ type: z.enum(['user', 'group']), id }).strict();
