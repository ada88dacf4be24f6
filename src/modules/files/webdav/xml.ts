/**
 * A small namespace-aware XML parser for WebDAV request bodies (PROPFIND, PROPPATCH, LOCK).
 * No DTDs (refused: no entity expansion attacks), no external anything; only what RFC 4918 bodies
 * use: elements, attributes, text, CDATA, comments, processing instructions, character references.
 */
export interface XmlElement {
  ns: string;
  local: string;
  attrs: { ns: string; local: string; value: string }[];
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlError extends Error {}

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const MAX_DEPTH = 64;
const NAME = /^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?$/;

export function parseXml(text: string): XmlElement {
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;

  const fail = (msg: string): never => {
    throw new XmlError(`${msg} at offset ${i}`);
  };
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<?', i)) {
        const end = text.indexOf('?>', i + 2);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (text.startsWith('<!', i)) {
        fail('document type declarations are not accepted');
      } else return;
    }
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;&\s]{1,10});?/g, (whole, ent: string) => {
      if (!whole.endsWith(';')) fail('bad character reference');
      switch (ent) {
        case 'lt':
          return '<';
        case 'gt':
          return '>';
        case 'amp':
          return '&';
        case 'quot':
          return '"';
        case 'apos':
          return "'";
      }
      const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ent);
      if (!m) return fail(`unknown entity &${ent};`);
      const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      if (!(code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff))) {
        return fail('character reference to a forbidden character');
      }
      return String.fromCodePoint(code);
    });
  const readName = (): string => {
    const start = i;
    while (i < n && !/[\s/>=<'"]/.test(text[i]!)) i++;
    const name = text.slice(start, i);
    if (!NAME.test(name)) fail(`bad name "${name.slice(0, 40)}"`);
    return name;
  };

  const parseElement = (scope: Map<string, string>, depth: number): XmlElement => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    if (text[i] !== '<') fail('expected an element');
    i++;
    const qname = readName();
    const rawAttrs: [string, string][] = [];
    for (;;) {
      skipSpace();
      if (text.startsWith('/>', i) || text[i] === '>') break;
      if (i >= n) fail('unterminated start tag');
      const an = readName();
      skipSpace();
      if (text[i] !== '=') fail('expected = after attribute name');
      i++;
      skipSpace();
      const q = text[i];
      if (q !== '"' && q !== "'") fail('attribute value must be quoted');
      const end = text.indexOf(q!, i + 1);
      if (end < 0) fail('unterminated attribute value');
      const rawValue = text.slice(i + 1, end);
      if (rawValue.includes('<')) fail('"<" in attribute value');
      rawAttrs.push([an, decode(rawValue)]);
      i = end + 1;
    }
    const local = new Map(scope);
    for (const [an, value] of rawAttrs) {
      if (an === 'xmlns') local.set('', value);
      else if (an.startsWith('xmlns:')) {
        const prefix = an.slice(6);
        // Undeclaring a prefix (xmlns:p="") is not allowed in XML 1.0 namespaces.
        if (value === '') fail(`empty namespace for prefix ${prefix}`);
        if (prefix === 'xmlns' || (prefix === 'xml' && value !== XML_NS)) fail('reserved prefix');
        local.set(prefix, value);
      }
    }
    const resolve = (q: string, isAttr: boolean): { ns: string; local: string } => {
      const colon = q.indexOf(':');
      if (colon < 0) return { ns: isAttr ? '' : (local.get('') ?? ''), local: q };
      const prefix = q.slice(0, colon);
      if (prefix === 'xml') return { ns: XML_NS, local: q.slice(colon + 1) };
      const ns = local.get(prefix);
      if (ns === undefined) return fail(`undeclared prefix ${prefix}`);
      return { ns, local: q.slice(colon + 1) };
    };
    const el: XmlElement = { ...resolve(qname, false), attrs: [], children: [] };
    const seen = new Set<string>();
    for (const [an, value] of rawAttrs) {
      if (an === 'xmlns' || an.startsWith('xmlns:')) {
        el.attrs.push({ ns: XMLNS, local: an, value });
        continue;
      }
      const r = resolve(an, true);
      const key = `${r.ns}|${r.local}`;
      if (seen.has(key)) fail('duplicate attribute');
      seen.add(key);
      el.attrs.push({ ...r, value });
    }
    if (text.startsWith('/>', i)) {
      i += 2;
      return el;
    }
    i++;
    for (;;) {
      if (i >= n) fail(`unterminated element ${qname}`);
      if (text.startsWith('</', i)) {
        i += 2;
        const closing = readName();
        if (closing !== qname) fail(`</${closing}> closes <${qname}>`);
        skipSpace();
        if (text[i] !== '>') fail('expected >');
        i++;
        return el;
      }
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i + 9);
        if (end < 0) fail('unterminated CDATA');
        el.children.push(text.slice(i + 9, end));
        i = end + 3;
      } else if (text.startsWith('<?', i)) {
        const end = text.indexOf('?>', i + 2);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (text.startsWith('<!', i)) {
        fail('unexpected declaration');
      } else if (text[i] === '<') {
        el.children.push(parseElement(local, depth + 1));
      } else {
        const end = text.indexOf('<', i);
        const raw = text.slice(i, end < 0 ? n : end);
        if (raw.includes(']]>')) fail('"]]>" in text');
        el.children.push(decode(raw));
        i = end < 0 ? n : end;
      }
    }
  };

  skipMisc();
  if (i >= n) fail('empty document');
  const root = parseElement(new Map([['xml', XML_NS]]), 0);
  skipMisc();
  if (i < n) fail('content after the root element');
  return root;
}

/** Child elements (text and whitespace skipped). */
export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

export function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return elements(el).find((c) => c.ns === ns && c.local === local);
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

const XML_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };
const XML_SPECIAL = /[<>&"']/;

export function escapeXml(s: string): string {
  // Most names, hrefs and etags need nothing; a PROPFIND of 10,000 entries escapes ~40,000 strings.
  return XML_SPECIAL.test(s) ? s.replace(/[<>&"']/g, (c) => XML_ENTITIES[c]!) : s;
}

/**
 * Serialises an element's content as a self-contained fragment: every element declares its own
 * default namespace, so the stored value means the same wherever it is written back.
 */
export function serializeChildren(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? escapeXml(c) : serializeElement(c))).join('');
}

function serializeElement(el: XmlElement): string {
  let attrs = ` xmlns="${escapeXml(el.ns)}"`;
  let k = 0;
  for (const a of el.attrs) {
    if (a.ns === XMLNS) continue;
    if (a.ns === '') attrs += ` ${a.local}="${escapeXml(a.value)}"`;
    else if (a.ns === XML_NS) attrs += ` xml:${a.local}="${escapeXml(a.value)}"`;
    else {
      const p = `a${k++}`;
      attrs += ` xmlns:${p}="${escapeXml(a.ns)}" ${p}:${a.local}="${escapeXml(a.value)}"`;
    }
  }
  const inner = serializeChildren(el);
  return inner ? `<${el.local}${attrs}>${inner}</${el.local}>` : `<${el.local}${attrs}/>`;
}
