/**
 * A minimal browser for tests: a cookie jar that honours Path and Max-Age/Expires (the OIDC
 * interaction cookie is path-scoped, and tests must see that), and manual redirects.
 */
interface Cookie {
  name: string;
  value: string;
  path: string;
  expires: number | null;
}

export class TestBrowser {
  private cookies: Cookie[] = [];
  csrf = '';

  constructor(readonly base: string) {}

  async fetch(url: string, init: { method?: string; body?: string | URLSearchParams; headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url, this.base);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    const method = init.method ?? 'GET';
    if (method !== 'GET' && this.csrf && target.pathname.startsWith('/api/')) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(target, { method, headers, body: init.body, redirect: 'manual' });
    this.store(res, target);
    return res;
  }

  async json<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.fetch(url, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Follows redirects on this origin; stops at the first redirect elsewhere (the app's redirect_uri). */
  async follow(url: string, max = 10): Promise<{ res: Response; url: string }> {
    let current = new URL(url, this.base).href;
    for (let i = 0; i < max; i++) {
      const res = await this.fetch(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      const next = new URL(location, current);
      if (next.origin !== new URL(this.base).origin || next.pathname.startsWith('/interaction/')) return { res, url: current };
      current = next.href;
    }
    throw new Error('too many redirects');
  }

  hasCookie(name: string): boolean {
    return this.cookies.some((c) => c.name === name);
  }

  cookiePaths(name: string): string[] {
    return this.cookies.filter((c) => c.name === name).map((c) => c.path);
  }

  private cookieHeader(url: URL): string {
    const t = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === null || c.expires > t);
    return this.cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(res: Response, url: URL): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expires: number | null = null;
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=');
        const key = k.trim().toLowerCase();
        if (key === 'path') path = v.trim();
        if (key === 'max-age') expires = Date.now() + Number(v) * 1000;
        if (key === 'expires' && expires === null) expires = Date.parse(v);
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (value && (expires === null || expires > Date.now())) this.cookies.push({ name, value, path, expires });
    }
  }
}
