import { Readable } from 'node:stream';
import { AppError, ValidationError } from '../../../platform/errors.js';
import { spaceLocks } from '../commands/locks.js';
import type { ListedNode, LockRow, PropRow } from '../tables.js';
import { readXmlBody } from './body.js';
import { headerOf, type DavRequest } from './context.js';
import { MULTISTATUS_CLOSE, MULTISTATUS_OPEN, multistatus, propElement, propstat, response, XML_HEAD } from './multistatus.js';
import { allPropNames, allProps, isQuotaProp, propValue, type LiveContext, type PropName } from './properties.js';
import { childHref, hrefOf } from './target.js';
import { child, elements, type XmlElement } from './xml.js';

/** What a PROPFIND asks for; `include` and `names` hold each property once (parseMode). */
export type Mode = { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; names: PropName[] };

export async function propfind(dav: DavRequest): Promise<void> {
  const request = await readPropfind(dav);
  if (!request) return;
  if (!dav.node) throw new AppError(404, 'not_found', 'Nothing exists at this URL.');
  // A shared item is shown under its name in /dav/shared/, which may differ from its own.
  const self = dav.target.entryName !== undefined && dav.target.path === dav.target.base ? { ...dav.node, name: dav.target.entryName } : dav.node;
  // lockdiscovery only when shown: a lock on the folder or above it may cover every child; a child's
  // own locks are read with its page.
  const lockView = spaceLocks(dav.ctx, dav.target.space.id);
  const showsLocks = asksForLocks(request.mode) && (await lockView.any());
  const folderLocks = showsLocks ? await lockView.covering(dav.target.path) : [];
  // Through /dav/shared/ the space is someone else's: their quota and usage stay theirs. Otherwise
  // they are read only when a quota property was asked for (allprop leaves them out).
  const usage = dav.target.kind === 'shared' || !asksForQuota(request.mode) ? null : await dav.service.usage(dav.target.space);
  const { mount, base, path: folderPath } = dav.target;
  const render = async (nodes: { node: ListedNode; path: string; href: string }[], locks: LockRow[]): Promise<string> => {
    const deadOf = await deadPropsOf(dav, nodes.map((n) => n.node));
    return nodes.map(({ node, path, href }) => propResponse(request.mode, node, href, { mount, base, path, locks, usage }, deadOf.get(node.id) ?? [])).join('');
  };
  const first = await render([{ node: self, path: folderPath, href: hrefOf(mount, folderPath, self.kind === 'folder', base) }], folderLocks);
  if (request.depth === '0' || dav.node.kind !== 'folder') {
    dav.reply.status(207).type('application/xml; charset=utf-8').send(`${XML_HEAD}${MULTISTATUS_OPEN}${first}${MULTISTATUS_CLOSE}`);
    return;
  }
  // Depth 1 streams a page of children at a time: a folder of 10,000 items is never one string in
  // memory, and the client reads the first entries while the rest are fetched.
  const pages = dav.service.childPages(dav.node);
  const folderHref = hrefOf(mount, folderPath, true, base);
  async function* body(): AsyncGenerator<Buffer> {
    yield Buffer.from(`${XML_HEAD}${MULTISTATUS_OPEN}${first}`);
    for await (const page of pages) {
      const children = page.map((c) => ({
        node: c,
        path: folderPath === '/' ? `/${c.name}` : `${folderPath}/${c.name}`,
        href: childHref(folderHref, c.name, c.kind === 'folder'),
      }));
      const locks = showsLocks ? [...folderLocks, ...(await lockView.rootedAt(children.map((c) => c.path)))] : [];
      yield Buffer.from(await render(children, locks));
    }
    yield Buffer.from(MULTISTATUS_CLOSE);
  }
  dav.reply.status(207).type('application/xml; charset=utf-8').send(Readable.from(body(), { objectMode: false }));
}

function asksForLocks(mode: Mode): boolean {
  return mode.kind === 'allprop' || (mode.kind === 'prop' && mode.names.some((p) => p.ns === 'DAV:' && p.name === 'lockdiscovery'));
}

function asksForQuota(mode: Mode): boolean {
  return (mode.kind === 'prop' ? mode.names : mode.kind === 'allprop' ? mode.include : []).some(isQuotaProp);
}

/** Depth and body of a PROPFIND, or null when Depth infinity was refused (the answer is sent). */
export async function readPropfind(dav: Pick<DavRequest, 'req' | 'reply'>): Promise<{ depth: '0' | '1'; mode: Mode } | null> {
  const depth = headerOf(dav.req, 'depth') ?? 'infinity';
  if (depth !== '0' && depth !== '1') {
    // RFC 4918 §9.1: servers may refuse Depth: infinity; a large tree would be one huge answer.
    dav.reply
      .status(403)
      .type('application/xml; charset=utf-8')
      .send('<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>');
    return null;
  }
  return { depth, mode: parseMode(await readXmlBody(dav.req)) };
}

export async function deadPropsOf(dav: Pick<DavRequest, 'ctx'>, nodes: Pick<ListedNode, 'id'>[]): Promise<Map<string, PropRow[]>> {
  const deadOf = new Map<string, PropRow[]>();
  if (nodes.length === 0) return deadOf;
  for (const d of await dav.ctx.store.propsOf(nodes.map((n) => n.id))) deadOf.set(d.node_id, [...(deadOf.get(d.node_id) ?? []), d]);
  return deadOf;
}

export function sendMultistatus(dav: Pick<DavRequest, 'reply'>, responses: string[]): void {
  dav.reply.status(207).type('application/xml; charset=utf-8').send(multistatus(responses));
}

/** One resource's <D:response> for the requested mode. */
export function propResponse(mode: Mode, node: ListedNode, href: string, c: LiveContext, mine: PropRow[]): string {
  if (mode.kind === 'propname') return response(href, propstat(allPropNames(node, c, mine).map((p) => propElement(p.ns, p.name, null)), 200));
  const found: string[] = [];
  const missing: string[] = [];
  // Names allprop already showed, for its include list.
  const shown = new Set<string>();
  if (mode.kind === 'allprop') {
    for (const p of allProps(node, c, mine)) {
      if (p.value === undefined) missing.push(propElement(p.ns, p.name, null));
      else found.push(propElement(p.ns, p.name, p.value));
      if (mode.include.length > 0) shown.add(`${p.ns}|${p.name}`);
    }
  }
  for (const p of mode.kind === 'allprop' ? mode.include : mode.names) {
    if (shown.size > 0 && shown.has(`${p.ns}|${p.name}`)) continue;
    const value = propValue(p, node, c, mine);
    if (value === undefined) missing.push(propElement(p.ns, p.name, null));
    else found.push(propElement(p.ns, p.name, value));
  }
  return response(href, propstat(found, 200) + propstat(missing, 404));
}

/** Each property once, in the order first asked for (a client may name one twice). */
function uniqueNames(els: XmlElement[]): PropName[] {
  const byKey = new Map<string, PropName>();
  for (const e of els) if (!byKey.has(`${e.ns}|${e.local}`)) byKey.set(`${e.ns}|${e.local}`, { ns: e.ns, name: e.local });
  return [...byKey.values()];
}

function parseMode(root: XmlElement | null): Mode {
  if (!root) return { kind: 'allprop', include: [] };
  if (root.ns !== 'DAV:' || root.local !== 'propfind') throw new ValidationError('The PROPFIND body must be a DAV:propfind element.');
  const prop = child(root, 'DAV:', 'prop');
  if (prop) return { kind: 'prop', names: uniqueNames(elements(prop)) };
  if (child(root, 'DAV:', 'propname')) return { kind: 'propname' };
  if (child(root, 'DAV:', 'allprop')) {
    const include = child(root, 'DAV:', 'include');
    return { kind: 'allprop', include: include ? uniqueNames(elements(include)) : [] };
  }
  throw new ValidationError('The PROPFIND body names neither prop, propname nor allprop.');
}
