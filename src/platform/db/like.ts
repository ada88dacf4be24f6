/**
 * Text for a LIKE pattern that matches itself literally: `\`, `%` and `_` escaped with a
 * backslash. Use it with `escape '\'` after the pattern (SQLite and PostgreSQL alike).
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
