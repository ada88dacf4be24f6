import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * WOPI proof keys (docs/protocols/wopi.md, "Proof keys"): the editor signs every WOPI request
 * with a private key whose public half it publishes in its discovery; a host that checks the
 * signature knows the request comes from the editor and not from whoever got hold of a token.
 */

/** The editor's public keys: `old` is the one it signed with before its last rotation. */
export interface ProofKeys {
  current: KeyObject;
  old?: KeyObject;
}

/** What a discovery document says about proof keys. */
export type ProofKeyState =
  | { kind: 'none' }
  | { kind: 'keys'; keys: ProofKeys }
  /** A proof-key element Tessera cannot use: the editor signs, but the signature cannot be checked. */
  | { kind: 'unreadable'; problem: string };

/** Smaller RSA keys can be forged; Microsoft uses 2048 bits, Collabora's documented key 2048 or more. */
const MIN_MODULUS_BITS = 2048;
/** The spec's window: a signed request older than this is a replay. */
export const PROOF_MAX_AGE_MS = 20 * 60_000;
/** .NET ticks (100 ns since 0001-01-01T00:00:00Z) at the Unix epoch. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

export function ticksAt(ms: number): bigint {
  return EPOCH_TICKS + BigInt(Math.trunc(ms)) * 10_000n;
}

function base64Bytes(value: string): Buffer | null {
  const v = value.replace(/\s+/g, '');
  // Buffer.from skips what is not base64; a damaged attribute must not become a different key.
  if (!v || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return null;
  return Buffer.from(v, 'base64');
}

function unsignedBigEndian(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function rsaKey(modulus: Buffer, exponent: Buffer): KeyObject {
  const n = unsignedBigEndian(modulus);
  const e = unsignedBigEndian(exponent);
  const key = createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') }, format: 'jwk' });
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS) throw new Error(`an RSA key of ${bits} bits (at least ${MIN_MODULUS_BITS} are needed)`);
  return key;
}

/**
 * The `value` attribute: a CryptoAPI PUBLICKEYBLOB (.NET's ExportCspBlob, what Microsoft and
 * current Collabora publish), or else an SPKI key in DER or PEM.
 */
function keyFromValue(bytes: Buffer): KeyObject {
  // BLOBHEADER { bType 0x06 PUBLICKEYBLOB, bVersion 0x02, reserved, aiKeyAlg } + RSAPUBKEY { "RSA1", bitlen, pubexp } + modulus (little-endian).
  if (bytes.length >= 20 && bytes[0] === 0x06 && bytes[1] === 0x02 && bytes.toString('latin1', 8, 12) === 'RSA1') {
    const bitlen = bytes.readUInt32LE(12);
    const size = Math.ceil(bitlen / 8);
    if (bytes.length < 20 + size) throw new Error('a truncated PUBLICKEYBLOB');
    const exponent = Buffer.alloc(4);
    exponent.writeUInt32BE(bytes.readUInt32LE(16));
    return rsaKey(Buffer.from(bytes.subarray(20, 20 + size)).reverse(), exponent);
  }
  const text = bytes.toString('latin1');
  const key = text.startsWith('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType ?? 'non-RSA'} key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS) throw new Error(`an RSA key of ${bits} bits (at least ${MIN_MODULUS_BITS} are needed)`);
  return key;
}

/** One key from `modulus`+`exponent` (preferred: plain big-endian numbers) or `value`. */
function readKey(modulus: string | undefined, exponent: string | undefined, value: string | undefined, label: string): KeyObject {
  try {
    if (modulus && exponent) {
      const m = base64Bytes(modulus);
      const e = base64Bytes(exponent);
      if (!m || !e) throw new Error('modulus or exponent that is not base64');
      return rsaKey(m, e);
    }
    if (value) {
      const v = base64Bytes(value);
      if (!v) throw new Error('a value that is not base64');
      return keyFromValue(v);
    }
  } catch (err) {
    throw new Error(`the ${label} proof key is ${(err as Error).message}`);
  }
  throw new Error(`the ${label} proof key has neither modulus/exponent nor value`);
}

/** Reads `<proof-key value modulus exponent oldvalue oldmodulus oldexponent/>`; `attr` reads one attribute of the tag. */
export function readProofKeys(tag: string | undefined, attr: (tag: string, name: string) => string | undefined): ProofKeyState {
  if (!tag) return { kind: 'none' };
  const a = (name: string) => attr(tag, name) || undefined;
  try {
    const current = readKey(a('modulus'), a('exponent'), a('value'), 'current');
    const hasOld = a('oldmodulus') || a('oldexponent') || a('oldvalue');
    const old = hasOld ? readKey(a('oldmodulus'), a('oldexponent'), a('oldvalue'), 'old') : undefined;
    return { kind: 'keys', keys: old ? { current, old } : { current } };
  } catch (err) {
    return { kind: 'unreadable', problem: (err as Error).message };
  }
}

/** The signed bytes: length-prefixed access token, upper-cased URL and the timestamp as a 64-bit big-endian number. */
export function expectedProof(accessToken: string, url: string, ticks: bigint): Buffer {
  const token = Buffer.from(accessToken, 'utf8');
  const target = Buffer.from(url.toUpperCase(), 'utf8');
  const out = Buffer.alloc(4 + token.length + 4 + target.length + 4 + 8);
  let at = out.writeUInt32BE(token.length, 0);
  at += token.copy(out, at);
  at = out.writeUInt32BE(target.length, at);
  at += target.copy(out, at);
  at = out.writeUInt32BE(8, at);
  out.writeBigInt64BE(ticks, at);
  return out;
}

export interface ProofInput {
  accessToken: string;
  /** The full URL the editor called: the host's public URL, path and query. */
  url: string;
  timestamp: string | null;
  proof: string | null;
  proofOld: string | null;
}

export type ProofFailure = 'missing_proof' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature';
export type ProofVerdict = { ok: true; via: 'current_key' | 'proof_old' | 'old_key' } | { ok: false; reason: ProofFailure };

function signedBy(key: KeyObject | undefined, data: Buffer, signature: string | null): boolean {
  if (!key || !signature) return false;
  const sig = base64Bytes(signature);
  if (!sig) return false;
  try {
    return verify('sha256', data, key, sig);
  } catch {
    return false;
  }
}

/**
 * The spec's three combinations, for key rotation: X-WOPI-Proof with the current key,
 * X-WOPI-ProofOld with the current key (our discovery is older than the editor's rotation),
 * X-WOPI-Proof with the old key (the editor has not picked up its new key yet). A timestamp more
 * than 20 minutes away from now, either way, is refused; `checkAge: false` only for known-answer tests.
 */
export function verifyProof(keys: ProofKeys, input: ProofInput, nowMs = Date.now(), checkAge = true): ProofVerdict {
  if (!input.proof || !input.timestamp) return { ok: false, reason: 'missing_proof' };
  if (!/^\d{1,19}$/.test(input.timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const ticks = BigInt(input.timestamp);
  if (ticks > 0x7fff_ffff_ffff_ffffn) return { ok: false, reason: 'bad_timestamp' };
  if (checkAge) {
    const skew = ticks - ticksAt(nowMs);
    const window = BigInt(PROOF_MAX_AGE_MS) * 10_000n;
    if (skew < -window || skew > window) return { ok: false, reason: 'stale_timestamp' };
  }
  const data = expectedProof(input.accessToken, input.url, ticks);
  if (signedBy(keys.current, data, input.proof)) return { ok: true, via: 'current_key' };
  if (signedBy(keys.current, data, input.proofOld)) return { ok: true, via: 'proof_old' };
  if (signedBy(keys.old, data, input.proof)) return { ok: true, via: 'old_key' };
  return { ok: false, reason: 'bad_signature' };
}

/** A WOPI request Tessera refuses because it is not (verifiably) signed by the editor. */
export class ProofRefusedError extends Error {
  constructor(readonly reason: ProofFailure | 'no_proof_keys' | 'unreadable_proof_keys') {
    super(`WOPI proof check failed: ${reason}`);
  }
}
