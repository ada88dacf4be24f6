import { escapeXml } from './xml.js';

export const XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n';

const REASONS: Record<number, string> = {
  200: 'OK',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  423: 'Locked',
  424: 'Failed Dependency',
  507: 'Insufficient Storage',
};

export function statusLine(code: number): string {
  return `HTTP/1.1 ${code} ${REASONS[code] ?? ''}`.trimEnd();
}

/** A property element: DAV: names use the D: prefix; others declare their own on the element. */
export function propElement(ns: string, name: string, inner: string | null): string {
  const tag = ns === 'DAV:' ? `D:${name}` : ns === '' ? name : `X:${name}`;
  const decl = ns === 'DAV:' || ns === '' ? '' : ` xmlns:X="${escapeXml(ns)}"`;
  return inner === null || inner === '' ? `<${tag}${decl}/>` : `<${tag}${decl}>${inner}</${tag}>`;
}

export function propstat(props: string[], status: number): string {
  if (props.length === 0) return '';
  return `<D:propstat><D:prop>${props.join('')}</D:prop><D:status>${statusLine(status)}</D:status></D:propstat>`;
}

export function response(href: string, body: string): string {
  return `<D:response><D:href>${escapeXml(href)}</D:href>${body}</D:response>`;
}

export const MULTISTATUS_OPEN = '<D:multistatus xmlns:D="DAV:">';
export const MULTISTATUS_CLOSE = '</D:multistatus>';

export function multistatus(responses: string[]): string {
  return `${XML_HEAD}${MULTISTATUS_OPEN}${responses.join('')}${MULTISTATUS_CLOSE}`;
}
