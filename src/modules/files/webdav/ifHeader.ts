/** The WebDAV If header (RFC 4918 §10.4): lists of lock-token and entity-tag conditions. */
export interface IfCondition {
  not: boolean;
  token?: string;
  etag?: string;
}
export interface IfList {
  /** The tagged resource (an absolute or absolute-path URL), or null for the request URI. */
  resource: string | null;
  conditions: IfCondition[];
}

export class IfHeaderError extends Error {}

export function parseIfHeader(header: string): IfList[] {
  const lists: IfList[] = [];
  let i = 0;
  let resource: string | null = null;
  let sawTagged = false;
  let sawUntagged = false;
  const s = header;
  const fail = (): never => {
    throw new IfHeaderError('malformed If header');
  };
  const space = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  for (;;) {
    space();
    if (i >= s.length) break;
    if (s[i] === '<') {
      const end = s.indexOf('>', i);
      if (end < 0) fail();
      resource = s.slice(i + 1, end);
      sawTagged = true;
      i = end + 1;
      continue;
    }
    if (s[i] !== '(') fail();
    if (resource === null) sawUntagged = true;
    i++;
    const conditions: IfCondition[] = [];
    for (;;) {
      space();
      if (s[i] === ')') {
        i++;
        break;
      }
      let not = false;
      if (s.slice(i, i + 3).toLowerCase() === 'not') {
        not = true;
        i += 3;
        space();
      }
      if (s[i] === '<') {
        const end = s.indexOf('>', i);
        if (end < 0) fail();
        conditions.push({ not, token: s.slice(i + 1, end) });
        i = end + 1;
      } else if (s[i] === '[') {
        const end = s.indexOf(']', i);
        if (end < 0) fail();
        conditions.push({ not, etag: s.slice(i + 1, end).trim() });
        i = end + 1;
      } else fail();
    }
    if (conditions.length === 0) fail();
    lists.push({ resource, conditions });
  }
  // Mixing tagged and untagged lists is not allowed.
  if (lists.length === 0 || (sawTagged && sawUntagged)) fail();
  return lists;
}

/** Every state token named anywhere in the header: those are the lock tokens the client submits. */
export function submittedTokens(lists: IfList[]): Set<string> {
  const out = new Set<string>();
  for (const l of lists) for (const c of l.conditions) if (c.token) out.add(c.token);
  return out;
}

export interface ResourceState {
  /** The resource's current entity tag (quoted), or null when it does not exist. */
  etag: string | null;
  /** Tokens of the locks that cover the resource. */
  lockTokens: Set<string>;
}

/** True when at least one list holds; `stateOf` gives the state of a list's resource. */
export async function evaluateIf(lists: IfList[], stateOf: (resource: string | null) => Promise<ResourceState>): Promise<boolean> {
  for (const list of lists) {
    const state = await stateOf(list.resource);
    const holds = list.conditions.every((c) => {
      const match = c.token !== undefined ? state.lockTokens.has(c.token) : state.etag !== null && weakStrip(c.etag!) === state.etag;
      return c.not ? !match : match;
    });
    if (holds) return true;
  }
  return false;
}

function weakStrip(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}
