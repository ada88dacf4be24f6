import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { UserView } from '../types.js';
import type { IdentityContext } from './context.js';

/**
 * How long a verified app password is trusted without asking the database again. Desktop WebDAV
 * clients send the same Basic header on every request, often hundreds a minute, so 30 s already
 * saves nearly every verification. Revocation does not wait for it (every change below drops the
 * entries at once, in every process, over the bus); the TTL only bounds how long a lost bus message
 * (Redis down, or a CLI process on the embedded stack, which shares no bus) can keep one alive.
 */
export const VERIFIED_TTL_MS = 30_000;
/** About 1 KiB per entry: 10,000 distinct clients cost ~10 MiB at most; the least recently used go first. */
export const VERIFIED_MAX_ENTRIES = 10_000;

/** Every process drops the entries named by a message on this topic (see `forgetVerified`). */
export const FORGET_TOPIC = 'identity.verified-app-passwords.forget';

/** Which entries to drop: one person's, those verified from one address, or all. */
export type ForgetScope = { userId: string } | { ip: string } | { all: true };

const scopeSchema = z.union([
  z.object({ userId: z.string().min(1).max(100) }).strict(),
  z.object({ ip: z.string().min(1).max(100) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

export interface VerifiedEntry {
  userId: string;
  ip: string;
  appPasswordId: string;
  /** When the app password's last_used_at was last written (ms), so hits keep the once-a-minute touch. */
  touchedAt: number;
  view: UserView;
  expiresAt: number;
}

/**
 * Successful app-password verifications of this process. Keys are an HMAC of (login, password, ip)
 * under a key that lives only in this process's memory, so neither the password nor a fast unsalted
 * hash of it is kept. The address is part of the key so that an address lockout (which drops that
 * address's entries) is never bypassed by an entry verified from elsewhere.
 *
 * Races: an invalidation bumps `epoch`; a verification records the epoch before it reads the
 * database and stores its result only if no invalidation happened meanwhile, so a verification that
 * read the state before a revocation committed can never put it back after the drop.
 */
export class VerifiedAppPasswords {
  private readonly entries = new Map<string, VerifiedEntry>();
  private readonly key = randomBytes(32);
  private epochValue = 0;
  /** Entries are stored only while this process hears invalidations from the others. */
  listening = false;

  constructor(
    private readonly ttlMs = VERIFIED_TTL_MS,
    private readonly maxEntries = VERIFIED_MAX_ENTRIES,
  ) {}

  get epoch(): number {
    return this.epochValue;
  }

  get size(): number {
    return this.entries.size;
  }

  keyOf(login: string, password: string, ip: string): string {
    // Lengths first, so no two different triples can produce the same input.
    return createHmac('sha256', this.key).update(`${login.length}:${password.length}:${login}\u0000${password}\u0000${ip}`).digest('base64url');
  }

  get(key: string, at = Date.now()): VerifiedEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= at) return undefined;
    // Re-inserted so Map order is least recently used first.
    this.entries.set(key, entry);
    return entry;
  }

  /** False (and nothing stored) when an invalidation happened since `epoch` was read. */
  set(key: string, entry: Omit<VerifiedEntry, 'expiresAt'>, epoch: number, at = Date.now()): boolean {
    if (!this.listening || epoch !== this.epochValue) return false;
    this.entries.delete(key);
    this.entries.set(key, { ...entry, expiresAt: at + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return true;
  }

  forget(scope: ForgetScope): void {
    this.epochValue++;
    if ('all' in scope) {
      this.entries.clear();
      return;
    }
    for (const [k, e] of this.entries) {
      if ('userId' in scope ? e.userId === scope.userId : e.ip === scope.ip) this.entries.delete(k);
    }
  }

  /** For a message from the bus; anything unreadable drops everything, the safe side. */
  forgetFromMessage(payload: unknown): ForgetScope {
    const parsed = scopeSchema.safeParse(payload);
    const scope: ForgetScope = parsed.success ? parsed.data : { all: true };
    this.forget(scope);
    return scope;
  }
}

/**
 * Drops the verified entries in `scope` here at once and in every other process through the bus.
 * Call it after the change committed (before, a verification could read the old state and store it
 * again). A failed publish is logged, not thrown: the change itself is done, and the TTL bounds the
 * other processes' staleness.
 */
export async function forgetVerified(ctx: IdentityContext, scope: ForgetScope): Promise<void> {
  ctx.verified.forget(scope);
  try {
    await ctx.platform.bus.publish(FORGET_TOPIC, scope);
  } catch (err) {
    ctx.platform.log.warn({ err, scope }, 'could not tell other processes to drop verified app passwords; they expire within the TTL');
  }
}

/** Subscribes this process to invalidations; entries are stored only once the subscription is live. */
export function listenForForgets(ctx: IdentityContext): () => void {
  const unsubscribe = ctx.platform.bus.subscribe(FORGET_TOPIC, (payload) => {
    ctx.verified.forgetFromMessage(payload);
  });
  let stopped = false;
  void unsubscribe.ready.then(() => {
    if (!stopped) ctx.verified.listening = true;
  });
  return () => {
    stopped = true;
    ctx.verified.listening = false;
    ctx.verified.forget({ all: true });
    unsubscribe();
  };
}
