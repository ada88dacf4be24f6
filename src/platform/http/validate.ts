import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Parses untrusted input with a zod schema. Object schemas at the edge are `.strict()`, so an
 * unknown field is an error rather than silently ignored.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'request'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  const message = first ? `Invalid ${where}: ${first.path ? `${first.path}: ` : ''}${first.message}` : `Invalid ${where}`;
  throw new ValidationError(message, { issues });
}
