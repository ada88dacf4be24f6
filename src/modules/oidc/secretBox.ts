import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets the provider must read back in plain (client secrets for
 * client_secret_basic, the signing key). The key is derived from the server secret, so a copy of
 * the database alone reveals neither.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(serverSecret: string, purpose = 'tessera-oidc-secret-box') {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, 'tessera', purpose, 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1.')) throw new Error('Unknown sealed secret format');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** Independent keys for other uses of the server secret (cookie signing). */
export function deriveKey(serverSecret: string, purpose: string): string {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'tessera', purpose, 32)).toString('base64url');
}
