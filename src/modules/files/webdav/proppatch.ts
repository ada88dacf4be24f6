import { AppError, ValidationError } from '../../../platform/errors.js';
import { patchProps, type PropOp } from '../commands/props.js';
import { readXmlBody } from './body.js';
import { checkConditions } from './conditions.js';
import type { DavRequest } from './context.js';
import { multistatus, propElement, propstat, response } from './multistatus.js';
import { PROTECTED } from './properties.js';
import { hrefOf } from './target.js';
import { elements, serializeChildren } from './xml.js';

/** PROPPATCH: dead properties, set and removed in document order, all or nothing. */
export async function proppatch(dav: DavRequest): Promise<void> {
  if (!dav.node) throw new AppError(404, 'not_found', 'Nothing exists at this URL.');
  const root = await readXmlBody(dav.req);
  if (!root || root.ns !== 'DAV:' || root.local !== 'propertyupdate') throw new ValidationError('The PROPPATCH body must be a DAV:propertyupdate element.');
  await checkConditions(dav, [{ space: dav.target.space, path: dav.target.path, scope: 'self' }]);
  const ops: PropOp[] = [];
  for (const action of elements(root)) {
    if (action.ns !== 'DAV:' || (action.local !== 'set' && action.local !== 'remove')) continue;
    for (const prop of elements(action).filter((e) => e.ns === 'DAV:' && e.local === 'prop')) {
      for (const p of elements(prop)) {
        ops.push(action.local === 'set' ? { op: 'set', ns: p.ns, name: p.local, value: serializeChildren(p) } : { op: 'remove', ns: p.ns, name: p.local });
      }
    }
  }
  const href = hrefOf(dav.target.mount, dav.target.path, dav.node.kind === 'folder', dav.target.base);
  const refused = ops.filter((o) => o.ns === 'DAV:' && PROTECTED.has(o.name));
  if (refused.length) {
    // One protected property fails the whole request; the others are reported as not attempted.
    const bad = refused.map((o) => propElement(o.ns, o.name, null));
    const others = ops.filter((o) => !refused.includes(o)).map((o) => propElement(o.ns, o.name, null));
    dav.reply.status(207).type('application/xml; charset=utf-8').send(multistatus([response(href, propstat(bad, 403) + propstat(others, 424))]));
    return;
  }
  await patchProps(dav.ctx, dav.actor, dav.node.id, ops);
  const seen = new Set<string>();
  const names = ops.filter((o) => !seen.has(`${o.ns}|${o.name}`) && seen.add(`${o.ns}|${o.name}`)).map((o) => propElement(o.ns, o.name, null));
  dav.reply.status(207).type('application/xml; charset=utf-8').send(multistatus([response(href, propstat(names, 200))]));
}
