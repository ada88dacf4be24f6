import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { expectedProof, ticksAt } from '../wopi/proof.js';

/** One RSA key pair of a stand-in editor. */
export interface EditorKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function editorKey(): EditorKey {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function jwkOf(key: EditorKey): { n: Buffer; e: Buffer } {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { n: Buffer.from(jwk.n!, 'base64url'), e: Buffer.from(jwk.e!, 'base64url') };
}

/** The public key as .NET's ExportCspBlob writes it: PUBLICKEYBLOB header, RSAPUBKEY, modulus little-endian. */
export function cspBlob(key: EditorKey): string {
  const { n, e } = jwkOf(key);
  const header = Buffer.alloc(20);
  header.writeUInt8(0x06, 0);
  header.writeUInt8(0x02, 1);
  header.writeUInt32LE(0x0000a400, 4);
  header.write('RSA1', 8, 'latin1');
  header.writeUInt32LE(n.length * 8, 12);
  header.writeUInt32LE(e.readUIntBE(0, e.length), 16);
  return Buffer.concat([header, Buffer.from(n).reverse()]).toString('base64');
}

/** `<proof-key .../>` as an editor's discovery publishes it; `only` leaves out one form of the keys. */
export function proofKeyElement(current: EditorKey, old?: EditorKey, only?: 'value' | 'modulus'): string {
  const attrs = (prefix: string, key: EditorKey) => {
    const { n, e } = jwkOf(key);
    const parts: string[] = [];
    if (only !== 'modulus') parts.push(`${prefix}value="${cspBlob(key)}"`);
    if (only !== 'value') parts.push(`${prefix}modulus="${n.toString('base64')}" ${prefix}exponent="${e.toString('base64')}"`);
    return parts.join(' ');
  };
  return `<proof-key ${attrs('', current)}${old ? ' ' + attrs('old', old) : ''}/>`;
}

/** X-WOPI-Proof for one request, as Collabora and Microsoft 365 sign it: RSA-SHA256 (PKCS #1 v1.5). */
export function proofOf(key: EditorKey, accessToken: string, url: string, ticks: bigint): string {
  return sign('sha256', expectedProof(accessToken, url, ticks), key.privateKey).toString('base64');
}

/** The signing headers of one WOPI request made at `atMs`, with `proofOld` signed by a second key when given. */
export function proofHeaders(key: EditorKey, accessToken: string, url: string, opts: { oldKey?: EditorKey; atMs?: number } = {}): Record<string, string> {
  const ticks = ticksAt(opts.atMs ?? Date.now());
  return {
    'x-wopi-timestamp': ticks.toString(),
    'x-wopi-proof': proofOf(key, accessToken, url, ticks),
    ...(opts.oldKey ? { 'x-wopi-proofold': proofOf(opts.oldKey, accessToken, url, ticks) } : {}),
  };
}
