import { locksCovering, locksUnder, spaceHasLocks } from '../commands/locks.js';
import { PreconditionFailedError, LockedError } from '../errors.js';
import { quoteEtag } from '../presenters.js';
import type { LockRow, SpaceRow } from '../tables.js';
import type { DavRequest } from './context.js';
import { evaluateIf, submittedTokens } from './ifHeader.js';
import { rawPathOf, resolveTarget } from './target.js';

/** A path the request changes: only the item ('self') or the item and everything below ('tree'). */
export interface Touch {
  space: SpaceRow;
  path: string;
  scope: 'self' | 'tree';
}

/**
 * RFC 4918 §10.4 and §7: the If header must hold (else 412), and every lock that protects what
 * the request changes must have its token submitted by its owner (else 423).
 */
export async function checkConditions(dav: DavRequest, touches: Touch[]): Promise<void> {
  // One probe per space: most hold no lock, and then a request reads nothing more.
  const probes = new Map<string, Promise<boolean>>();
  const hasLocks = (space: SpaceRow): Promise<boolean> => {
    let probe = probes.get(space.id);
    if (!probe) probes.set(space.id, (probe = spaceHasLocks(dav.ctx, space.id)));
    return probe;
  };
  const covering = async (space: SpaceRow, path: string): Promise<LockRow[]> => ((await hasLocks(space)) ? locksCovering(dav.ctx, space.id, path) : []);

  if (dav.ifLists) {
    const ok = await evaluateIf(dav.ifLists, async (resource) => {
      let target = dav.target;
      if (resource !== null) {
        try {
          // A tagged URL may name the item through any mount the person has: it means the real item.
          target = await resolveTarget(dav.service, dav.user, rawPathOf(resource));
        } catch {
          return { etag: null, lockTokens: new Set() };
        }
      }
      const node = target === dav.target ? dav.node : await dav.service.resolvePath(target.space, target.names);
      const locks = await covering(target.space, target.path);
      return { etag: node ? quoteEtag(node.etag) : null, lockTokens: new Set(locks.map((l) => l.token)) };
    });
    if (!ok) throw new PreconditionFailedError('The If header does not match the current state of the item.');
  }

  const submitted = dav.ifLists ? submittedTokens(dav.ifLists) : new Set<string>();
  for (const t of touches) {
    const relevant = [...(await covering(t.space, t.path)), ...(t.scope === 'tree' && (await hasLocks(t.space)) ? await locksUnder(dav.ctx, t.space.id, t.path) : [])];
    for (const lock of relevant) {
      if (!submitted.has(lock.token) || lock.user_id !== dav.user.id) throw new LockedError();
    }
  }
}
