import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JWK } from 'oidc-provider';
import type { SecretBox } from './secretBox.js';
import type { OidcStore } from './store.js';

/**
 * The provider's signing keys, shared by every process through the database. Generated once
 * (first process to start wins the insert), sealed with the server secret.
 */
export async function loadSigningKeys(store: OidcStore, box: SecretBox): Promise<JWK[]> {
  let sealed = await store.getSigningKeys();
  if (!sealed) {
    await store.insertSigningKeysIfAbsent(box.seal(JSON.stringify([generateRsaJwk()])));
    sealed = await store.getSigningKeys();
  }
  if (!sealed) throw new Error('OIDC signing keys could not be stored');
  const keys: unknown = JSON.parse(box.open(sealed));
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('OIDC signing keys are unreadable');
  return keys as JWK[]; // written by generateRsaJwk above, sealed (authenticated) since
}

function generateRsaJwk(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomUUID(), alg: 'RS256', use: 'sig' } as JWK; // node's JsonWebKey and oidc-provider's JWK describe the same RSA fields
}
