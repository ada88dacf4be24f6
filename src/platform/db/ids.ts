import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Keys made in the
 * same moment sort next to one another, so a burst of inserts lands on the same few B-tree leaves
 * of every index on the key instead of one random leaf each. For the small-file uploads of
 * bench/files that halved the pages each SQLite commit writes. Not for secrets: the random part is
 * unguessable, but the time is plain.
 */
export function timeOrderedId(at = Date.now()): string {
  // randomUUID draws from Node's batched entropy cache, far cheaper than randomBytes per call.
  const random = randomUUID();
  const time = at.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}

/** An opaque random tag (entity tags): 122 random bits as 32 hex digits, from the same cheap source. */
export function randomTag(): string {
  return randomUUID().replaceAll('-', '');
}
