import { createHash } from 'node:crypto';
import { AppError } from '../../../platform/errors.js';
import { locksCovering } from '../commands/locks.js';
import { quoteEtag } from '../presenters.js';
import type { NodeRow } from '../tables.js';
import type { DavRequest } from './context.js';
import { options } from './methods.js';
import { deadPropsOf, propResponse, readPropfind, sendMultistatus } from './propfind.js';
import { sharedEntries } from './sharedMount.js';
import { encodeSegment, hrefOf, SHARED_TOP_READ_ONLY, type SharedTop } from './target.js';
import { escapeXml } from './xml.js';

export interface SharedTopRequest extends Omit<DavRequest, 'target' | 'node' | 'parent'> {
  top: SharedTop;
}

const READS = new Set(['GET', 'HEAD', 'PROPFIND']);
/** Methods that would create something at the URL. */
const CREATES = new Set(['PUT', 'MKCOL', 'LOCK']);

/**
 * The top of /dav/shared/<user>/ lists what is shared with the person; it holds nothing of its own,
 * so it only answers reads. Below an existing entry, requests go to the item itself (target.ts).
 */
export async function sharedTop(dav: SharedTopRequest): Promise<void> {
  const { names } = dav.top;
  if (dav.req.method === 'OPTIONS') return options(dav);
  if (names.length > 1) {
    // Below a name that is not (or no longer) shared with the person: nothing, as for a missing folder.
    if (CREATES.has(dav.req.method)) throw new AppError(409, 'conflict', 'The parent folder does not exist (or is no longer shared with you).');
    throw new AppError(404, 'not_found', 'Nothing exists at this URL (or it is no longer shared with you).');
  }
  if (names.length === 1) {
    if (CREATES.has(dav.req.method)) throw new AppError(403, 'forbidden', SHARED_TOP_READ_ONLY);
    throw new AppError(404, 'not_found', 'Nothing is shared with you under this name (any more).');
  }
  // The top exists: MKCOL on it is 405 as on any existing folder, so clients creating parents go on.
  if (dav.req.method === 'MKCOL') throw new AppError(405, 'method_not_allowed', 'Something exists at this URL already.');
  if (!READS.has(dav.req.method)) throw new AppError(403, 'forbidden', SHARED_TOP_READ_ONLY);

  const entries = (await sharedEntries(dav.service, dav.user)).map((e) => ({ ...e, href: `${dav.top.mount}/${encodeSegment(e.name)}` }));
  const root = virtualFolder(entries.map((e) => ({ name: e.name, node: e.item.node })));
  if (dav.req.method !== 'PROPFIND') {
    const list = entries.map((e) => `<li><a href="${escapeXml(e.href + (e.item.node.kind === 'folder' ? '/' : ''))}">${escapeXml(e.name)}${e.item.node.kind === 'folder' ? '/' : ''}</a></li>`).join('');
    dav.reply.header('etag', quoteEtag(root.etag)).type('text/html; charset=utf-8').send(`<!doctype html><meta charset="utf-8"><title>Shared with you</title><ul>${list}</ul>`);
    return;
  }

  const request = await readPropfind(dav);
  if (!request) return;
  const out = [propResponse(request.mode, root, dav.top.mount + '/', { mount: dav.top.mount, base: '/', path: '/', locks: [], usage: null }, [])];
  if (request.depth === '1') {
    const deadOf = await deadPropsOf(dav, entries.map((e) => e.item.node));
    for (const e of entries) {
      const node = e.item.node;
      // Locks are keyed by the item's real path in its owner's space; lockdiscovery shows them here.
      const base = (await dav.service.pathOf(node)) || '/';
      const locks = await locksCovering(dav.ctx, node.space_id, base);
      const c = { mount: e.href, base, path: base, locks, usage: null };
      out.push(propResponse(request.mode, { ...node, name: e.name }, hrefOf(e.href, base, node.kind === 'folder', base), c, deadOf.get(node.id) ?? []));
    }
  }
  sendMultistatus(dav, out);
}

/**
 * The top as a folder for the property code: its entity tag and time change whenever an entry is
 * added, removed, renamed or changed, so sync clients look again.
 */
function virtualFolder(entries: { name: string; node: NodeRow }[]): NodeRow {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.name}\u0000${e.node.id}\u0000${e.node.etag}\u0000`);
  const modified = entries.reduce((max, e) => (e.node.modified_at > max ? e.node.modified_at : max), new Date(0).toISOString());
  return {
    id: 'dav-shared-top',
    space_id: '',
    parent_id: null,
    name: '',
    kind: 'folder',
    size: 0,
    content_type: null,
    blob_key: null,
    sha256: null,
    etag: hash.digest('hex').slice(0, 24),
    created_at: modified,
    modified_at: modified,
    created_by: null,
    modified_by: null,
    trash_id: null,
    trashed_at: null,
    trashed_by: null,
    trash_parent_id: null,
    trash_path: null,
  };
}
