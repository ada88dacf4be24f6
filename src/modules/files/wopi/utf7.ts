/**
 * UTF-7 (RFC 2152), which WOPI uses for file names in headers (X-WOPI-SuggestedTarget,
 * X-WOPI-RelativeTarget, X-WOPI-RequestedName, X-WOPI-ValidRelativeTarget) so they stay ASCII.
 */

const BASE64 = /[A-Za-z0-9+/]/;

/** Decodes UTF-7; plain ASCII passes through unchanged. */
export function decodeUtf7(input: string): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== '+') {
      out += c;
      continue;
    }
    let j = i + 1;
    while (j < input.length && BASE64.test(input[j]!)) j++;
    const run = input.slice(i + 1, j);
    if (run === '' && input[j] === '-') {
      out += '+';
      i = j;
      continue;
    }
    const bytes = Buffer.from(run, 'base64');
    for (let k = 0; k + 1 < bytes.length; k += 2) out += String.fromCharCode((bytes[k]! << 8) | bytes[k + 1]!);
    // The '-' closing a run is absorbed; any other character after it is literal.
    i = input[j] === '-' ? j : j - 1;
  }
  return out;
}

/** Characters RFC 2152 lets stand for themselves (set D, space and most of set O, but not + \ ~). */
const DIRECT = /[A-Za-z0-9'(),\-./:? !"#$%&*;<=>@[\]^_`{|}]/;

export function encodeUtf7(input: string): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '+') {
      out += '+-';
      i++;
      continue;
    }
    if (DIRECT.test(c)) {
      out += c;
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !DIRECT.test(input[j]!) && input[j] !== '+') j++;
    const units = input.slice(i, j);
    const bytes = Buffer.alloc(units.length * 2);
    for (let k = 0; k < units.length; k++) bytes.writeUInt16BE(units.charCodeAt(k), k * 2);
    // Always closed with '-', so a following '-' or base64 letter cannot be read as part of the run.
    out += '+' + bytes.toString('base64').replace(/=+$/, '') + '-';
    i = j;
  }
  return out;
}
