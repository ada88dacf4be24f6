import { ValidationError } from '../../platform/errors.js';

const MAX_NAME_BYTES = 255;

/** Why a name is refused, or null when it is fine. Case is kept and significant. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'a name cannot be empty';
  if (name === '.' || name === '..') return `"${name}" is reserved`;
  if (name.includes('/')) return 'a name cannot contain "/"';
  // NUL and the other C0/C1 controls break clients and file systems when synced.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'a name cannot contain control characters';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `a name can have at most ${MAX_NAME_BYTES} bytes (UTF-8)`;
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) return 'a name must be valid Unicode';
  return null;
}

export function assertValidName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new ValidationError(`Invalid name: ${problem}.`, { name: name.slice(0, 300) });
  return name;
}

/** "report.pdf" -> "report (2).pdf": the next free name when restoring or copying onto a taken one. */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  if (dot > 0) return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
  return `${name} (${n})`;
}
