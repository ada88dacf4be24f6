import type { ListedNode, LockRow, PropRow } from '../tables.js';
import { quoteEtag } from '../presenters.js';
import { lockCovers } from '../commands/locks.js';
import { escapeXml } from './xml.js';
import { hrefOf } from './target.js';

export interface PropName {
  ns: string;
  name: string;
}

/** What live properties need besides the node. */
export interface LiveContext {
  mount: string;
  /** The space path the mount shows (DavTarget.base). */
  base: string;
  path: string;
  locks: LockRow[];
  /** null where the space is someone else's (a shared item): their usage is theirs to know. */
  usage: { usedBytes: number; quotaBytes: number | null } | null;
}

const ALLPROP_LIVE = ['resourcetype', 'getetag', 'getlastmodified', 'creationdate', 'displayname', 'getcontentlength', 'getcontenttype', 'supportedlock', 'lockdiscovery'];
const QUOTA = ['quota-available-bytes', 'quota-used-bytes'];

/** quota-used-bytes and quota-available-bytes (RFC 4331): not in allprop, so only when named. */
export function isQuotaProp(p: PropName): boolean {
  return p.ns === 'DAV:' && QUOTA.includes(p.name);
}

export const PROTECTED = new Set([...ALLPROP_LIVE.filter((p) => p !== 'displayname'), ...QUOTA, 'getcontentlanguage']);

/** The value of a live DAV: property, or undefined when the resource has none. */
export function liveProp(name: string, node: ListedNode, c: LiveContext): string | undefined {
  const folder = node.kind === 'folder';
  switch (name) {
    case 'resourcetype':
      return folder ? '<D:collection/>' : '';
    case 'getetag':
      return escapeXml(quoteEtag(node.etag));
    case 'getlastmodified':
      return new Date(node.modified_at).toUTCString();
    case 'creationdate':
      return node.created_at;
    case 'displayname':
      return node.parent_id ? escapeXml(node.name) : undefined;
    case 'getcontentlength':
      return folder ? undefined : String(Number(node.size));
    case 'getcontenttype':
      return folder ? undefined : escapeXml(node.content_type || 'application/octet-stream');
    case 'supportedlock':
      return (
        '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
        '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>'
      );
    case 'lockdiscovery':
      return c.locks
        .filter((l) => lockCovers(l, c.path))
        .map((l) => activeLock(l, c.mount, c.base))
        .join('');
    case 'quota-used-bytes':
      return folder && c.usage ? String(c.usage.usedBytes) : undefined;
    case 'quota-available-bytes':
      return folder && c.usage && c.usage.quotaBytes !== null ? String(Math.max(0, c.usage.quotaBytes - c.usage.usedBytes)) : undefined;
    default:
      return undefined;
  }
}

export function activeLock(l: LockRow, mount: string, base = '/'): string {
  const seconds = Math.max(0, Math.round((Date.parse(l.expires_at) - Date.now()) / 1000));
  return (
    `<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:${l.scope}/></D:lockscope>` +
    `<D:depth>${l.depth === 'infinity' ? 'infinity' : '0'}</D:depth>` +
    (l.owner ? `<D:owner>${l.owner}</D:owner>` : '') +
    `<D:timeout>Second-${seconds}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(l.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeXml(hrefOf(mount, l.path, false, base))}</D:href></D:lockroot></D:activelock>`
  );
}

/** Names for propname: live ones the resource has, then its dead ones. */
export function allPropNames(node: ListedNode, c: LiveContext, dead: PropRow[]): PropName[] {
  return allProps(node, c, dead).map(({ ns, name }) => ({ ns, name }));
}

/**
 * What allprop shows, each value computed once: the live properties the resource has (a stored
 * displayname wins over the live one), then its dead ones. The same as propValue for each of
 * allPropNames, without computing every live value twice.
 */
export function allProps(node: ListedNode, c: LiveContext, dead: PropRow[]): Array<PropName & { value: string | undefined }> {
  const props: Array<PropName & { value: string | undefined }> = [];
  for (const name of ALLPROP_LIVE) {
    const live = liveProp(name, node, c);
    if (live === undefined) continue;
    const value = name === 'displayname' ? (dead.find((d) => d.ns === 'DAV:' && d.name === name)?.value ?? live) : live;
    props.push({ ns: 'DAV:', name, value });
  }
  for (const d of dead) if (!(d.ns === 'DAV:' && ALLPROP_LIVE.includes(d.name))) props.push({ ns: d.ns, name: d.name, value: propValue(d, node, c, dead) });
  return props;
}

/** A property's value: live for DAV: names the server computes, else the stored dead value. */
export function propValue(p: PropName, node: ListedNode, c: LiveContext, dead: PropRow[]): string | undefined {
  const stored = dead.find((d) => d.ns === p.ns && d.name === p.name)?.value;
  if (p.ns === 'DAV:' && p.name === 'displayname') return stored ?? liveProp(p.name, node, c);
  if (p.ns === 'DAV:' && (ALLPROP_LIVE.includes(p.name) || QUOTA.includes(p.name))) return liveProp(p.name, node, c);
  return stored;
}
