import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/** A tiny History-API router: the location is an external store, links push state. */

const listeners = new Set<() => void>();
const NAV_EVENT = 'tessera:navigate';

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  const onPop = () => cb();
  window.addEventListener('popstate', onPop);
  window.addEventListener(NAV_EVENT, onPop);
  return () => {
    listeners.delete(cb);
    window.removeEventListener('popstate', onPop);
    window.removeEventListener(NAV_EVENT, onPop);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
  window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  search: URLSearchParams;
}

export function useLocation(): Location {
  const full = useSyncExternalStore(subscribe, snapshot);
  const [path, query = ''] = full.split('?') as [string, string?];
  return { path, search: new URLSearchParams(query) };
}

/** Matches `/admin/:tab` style patterns; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < Math.max(p.length, s.length); i++) {
    const pp = p[i];
    const sp = s[i];
    if (pp === undefined) return null;
    if (pp.startsWith(':')) {
      const optional = pp.endsWith('?');
      if (sp === undefined) {
        if (optional) continue;
        return null;
      }
      params[pp.slice(1).replace(/\?$/, '')] = decodeURIComponent(sp);
    } else if (pp !== sp) return null;
  }
  return params;
}

/**
 * Only same-origin paths may be used as a post-sign-in destination: "/x" but never "//host",
 * "/\host" or "https://...". Anything else falls back to the start page.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  try {
    const url = new URL(next, window.location.origin);
    if (url.origin !== window.location.origin) return '/';
    return url.pathname + url.search + url.hash;
  } catch {
    return '/';
  }
}

export function Link({ to, children, onClick, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}

/** Redirects on mount (render-time navigation is not allowed). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** Sets the document title and moves focus to the main heading so screen readers announce the page. */
export function usePageTitle(title: string, appName = 'Tessera'): void {
  useEffect(() => {
    document.title = title ? `${title} · ${appName}` : appName;
  }, [title, appName]);
}
