import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Seals small secrets (TOTP keys) with AES-256-GCM under a key derived from the server secret,
 * so a copy of the database alone does not yield working second factors.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: string;

  constructor(serverSecret: string) {
    this.key = createHash('sha256').update(`tessera-identity-seal:${serverSecret}`).digest();
    this.macKey = `tessera-identity-mac:${serverSecret}`;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [v, iv, body, tag] = sealed.split('.');
    if (v !== 'v1' || !iv || !body || !tag) throw new Error('Unreadable sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Keyed hash for low-entropy single-use codes (recovery codes), so a stolen table cannot be brute-forced offline without the secret. */
  mac(value: string): string {
    return createHmac('sha256', this.macKey).update(value).digest('hex');
  }
}
