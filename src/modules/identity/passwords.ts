import { hash, verify } from '@node-rs/argon2';
import { ValidationError } from '../../platform/errors.js';
import { randomToken } from '../../platform/crypto/tokens.js';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1000;

// Argon2id (algorithm 2 in @node-rs/argon2, its default) with OWASP's second recommended profile.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // Without a stored hash we still spend the same time, so timing does not reveal which accounts exist.
  const target = stored ?? DUMMY_HASH;
  try {
    const ok = await verify(await target, password);
    return stored !== null && ok;
  } catch {
    return false;
  }
}

const DUMMY_HASH: Promise<string> = hash(randomToken(16), OPTIONS);

export function checkPasswordStrength(password: string, minLength = MIN_PASSWORD_LENGTH): void {
  if (password.length < minLength) {
    throw new ValidationError(`The password must have at least ${minLength} characters.`, { issues: [{ path: 'password', message: `at least ${minLength} characters` }] });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(`The password must have at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
}

/** A password an administrator can read out: 20 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
