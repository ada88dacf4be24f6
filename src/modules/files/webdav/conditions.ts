import { spaceLocks, type SpaceLocks } from '../commands/locks.js';
import { PreconditionFailedError, LockedError } from '../errors.js';
import { quoteEtag } from '../presenters.js';
import type { SpaceRow } from '../tables.js';
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
  const views = new Map<string, SpaceLocks>();
  const locksOf = (space: SpaceRow): SpaceLocks => {
    let view = views.get(space.id);
    if (!view) views.set(space.id, (view = spaceLocks(dav.ctx, space.id)));
    return view;
  };

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
      const locks = await locksOf(target.space).covering(target.path);
      return { etag: node ? quoteEtag(node.etag) : null, lockTokens: new Set(locks.map((l) => l.token)) };
    });
    if (!ok) throw new PreconditionFailedError('The If header does not match the current state of the item.');
  }

  const submitted = dav.ifLists ? submittedTokens(dav.ifLists) : new Set<string>();
  for (const t of touches) {
    const locks = locksOf(t.space);
    const relevant = [...(await locks.covering(t.path)), ...(t.scope === 'tree' ? await locks.under(t.path) : [])];
    for (const lock of relevant) {
      if (!submitted.has(lock.token) || lock.user_id !== dav.user.id) throw new LockedError();
    }
  }
}
