import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** URL-safe random token with `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A secret people paste into other programs (app passwords): letters and digits in groups of five
 * joined by "-", e.g. "k3Xq9-…", so it never starts with "-" (command-line tools take that for an
 * option) and holds no character a config file or shell would treat specially. 8 groups: 40
 * characters, about 238 bits.
 */
export function readableSecret(groups = 8): string {
  const out: string[] = [];
  let group = '';
  while (out.length < groups) {
    // Rejection sampling: 248 = 4 × 62, so every character is equally likely.
    for (const b of randomBytes(64)) {
      if (b >= 248) continue;
      group += ALNUM[b % 62];
      if (group.length === 5) {
        out.push(group);
        group = '';
        if (out.length === groups) break;
      }
    }
  }
  return out.join('-');
}

export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex');
}

export function hmacHex(key: string, input: string): string {
  return createHmac('sha256', key).update(input).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
