import { AppError, ValidationError } from '../../../platform/errors.js';
import { activeLocks } from '../commands/locks.js';
import type { NodeRow, PropRow } from '../tables.js';
import { readXmlBody } from './body.js';
import { headerOf, type DavRequest } from './context.js';
import { multistatus, propElement, propstat, response } from './multistatus.js';
import { allPropNames, propValue, type LiveContext, type PropName } from './properties.js';
import { hrefOf } from './target.js';
import { child, elements, type XmlElement } from './xml.js';

type Mode = { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; names: PropName[] };

export async function propfind(dav: DavRequest): Promise<void> {
  const depth = headerOf(dav.req, 'depth') ?? 'infinity';
  if (depth !== '0' && depth !== '1') {
    // RFC 4918 §9.1: servers may refuse Depth: infinity; a large tree would be one huge answer.
    dav.reply
      .status(403)
      .type('application/xml; charset=utf-8')
      .send('<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>');
    return;
  }
  const mode = parseMode(await readXmlBody(dav.req));
  if (!dav.node) throw new AppError(404, 'not_found', 'Nothing exists at this URL.');
  const nodes: { node: NodeRow; path: string }[] = [{ node: dav.node, path: dav.target.path }];
  if (depth === '1' && dav.node.kind === 'folder') {
    for (const c of await dav.service.allChildren(dav.node)) nodes.push({ node: c, path: dav.target.path === '/' ? `/${c.name}` : `${dav.target.path}/${c.name}` });
  }
  const locks = await activeLocks(dav.ctx, dav.target.space.id);
  const usage = await dav.service.usage(dav.target.space);
  const dead = await dav.ctx.store.propsOf(nodes.map((n) => n.node.id));
  const deadOf = new Map<string, PropRow[]>();
  for (const d of dead) deadOf.set(d.node_id, [...(deadOf.get(d.node_id) ?? []), d]);

  const out = nodes.map(({ node, path }) => {
    const c: LiveContext = { mount: dav.target.mount, path, locks, usage };
    const mine = deadOf.get(node.id) ?? [];
    const href = hrefOf(dav.target.mount, path, node.kind === 'folder');
    if (mode.kind === 'propname') return response(href, propstat(allPropNames(node, c, mine).map((p) => propElement(p.ns, p.name, null)), 200));
    const names = mode.kind === 'allprop' ? [...allPropNames(node, c, mine), ...mode.include] : mode.names;
    const found: string[] = [];
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const p of names) {
      const key = `${p.ns}|${p.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const value = propValue(p, node, c, mine);
      if (value === undefined) missing.push(propElement(p.ns, p.name, null));
      else found.push(propElement(p.ns, p.name, value));
    }
    return response(href, propstat(found, 200) + propstat(missing, 404));
  });
  dav.reply.status(207).type('application/xml; charset=utf-8').send(multistatus(out));
}

function parseMode(root: XmlElement | null): Mode {
  if (!root) return { kind: 'allprop', include: [] };
  if (root.ns !== 'DAV:' || root.local !== 'propfind') throw new ValidationError('The PROPFIND body must be a DAV:propfind element.');
  const prop = child(root, 'DAV:', 'prop');
  if (prop) return { kind: 'prop', names: elements(prop).map((e) => ({ ns: e.ns, name: e.local })) };
  if (child(root, 'DAV:', 'propname')) return { kind: 'propname' };
  if (child(root, 'DAV:', 'allprop')) {
    const include = child(root, 'DAV:', 'include');
    return { kind: 'allprop', include: include ? elements(include).map((e) => ({ ns: e.ns, name: e.local })) : [] };
  }
  throw new ValidationError('The PROPFIND body names neither prop, propname nor allprop.');
}
