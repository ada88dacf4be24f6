import { AppError } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/log/logger.js';
import { readProofKeys, type ProofKeyState } from './proof.js';

/** What the editor can do with one file extension: the action URLs from its discovery XML. */
export interface EditorActions {
  edit?: string;
  view?: string;
}

export interface Discovery {
  /** Origin of the editor's pages: the only one the host page may frame and post to. */
  origin: string;
  /** By lower-case extension without the dot. */
  actions: Map<string, EditorActions>;
  /** The keys the editor signs WOPI requests with (proof.ts). */
  proof: ProofKeyState;
}

/** How long a read discovery is trusted; editors change their action URLs on upgrade. */
const CACHE_MS = 3600_000;
/** After a failed read, ask again this soon rather than on every request. */
const RETRY_MS = 30_000;
const FETCH_TIMEOUT_MS = 10_000;

class EditorUnavailableError extends AppError {
  constructor() {
    super(503, 'editor_unavailable', 'The office editor cannot be reached right now. Try again in a minute; if it persists, tell your administrator.');
  }
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  const v = m?.[2] ?? m?.[3];
  return v?.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'");
}

/**
 * Reads the <action name=".." ext=".." urlsrc=".."/> elements of a WOPI discovery document.
 * Only edit and view matter here; the first action named for an extension wins.
 */
export function parseDiscovery(xml: string): Discovery {
  const actions = new Map<string, EditorActions>();
  let origin: string | undefined;
  for (const m of xml.matchAll(/<action\b[^>]*>/g)) {
    const tag = m[0];
    const name = attr(tag, 'name');
    const ext = attr(tag, 'ext')?.toLowerCase();
    const urlsrc = attr(tag, 'urlsrc');
    if ((name !== 'edit' && name !== 'view') || !ext || !urlsrc) continue;
    let url: URL;
    try {
      url = new URL(urlsrc.replace(/<[^>]*>/g, ''));
    } catch {
      continue;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
    origin ??= url.origin;
    // One editor, one origin: the CSP allows exactly one, so actions elsewhere are ignored.
    if (url.origin !== origin) continue;
    const entry = actions.get(ext) ?? {};
    entry[name] ??= urlsrc;
    actions.set(ext, entry);
  }
  if (!origin) throw new Error('the discovery document lists no edit or view actions');
  return { origin, actions, proof: readProofKeys(/<proof-key\b[^>]*>/.exec(xml)?.[0], attr) };
}

/**
 * An action URL for one file: the discovery's optional `<name=VALUE&>` placeholders are dropped
 * (the editor then uses its defaults) and WOPISrc is appended, as the spec describes.
 */
export function actionUrlFor(urlsrc: string, wopiSrc: string): string {
  const base = urlsrc.replace(/<[^>]*>/g, '');
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}WOPISrc=${encodeURIComponent(wopiSrc)}`;
}

/** The editor's discovery, read on first use and cached; the URL is inside the deployment. */
export class DiscoveryCache {
  private value: Discovery | undefined;
  private readAt = 0;
  private failedAt = 0;
  private pending: Promise<Discovery> | undefined;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  async get(): Promise<Discovery> {
    const t = Date.now();
    if (this.value && t - this.readAt < CACHE_MS) return this.value;
    // A stale copy is better than none while the editor restarts.
    if (t - this.failedAt < RETRY_MS) {
      if (this.value) return this.value;
      throw new EditorUnavailableError();
    }
    return this.readOnce();
  }

  /**
   * Reads the discovery again unless it was read less than `minAgeMs` ago: for a signature that
   * does not verify, as the editor may have rotated its keys within the hour the copy is kept.
   * The minimum age keeps unsigned requests from making Tessera fetch the discovery each time.
   */
  async refresh(minAgeMs: number): Promise<Discovery> {
    if (this.value && Date.now() - Math.max(this.readAt, this.failedAt) < minAgeMs) return this.value;
    return this.readOnce();
  }

  private readOnce(): Promise<Discovery> {
    this.pending ??= this.read().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async read(): Promise<Discovery> {
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.value = parseDiscovery(await res.text());
      this.readAt = Date.now();
      return this.value;
    } catch (err) {
      this.failedAt = Date.now();
      this.log.warn({ err, url: this.url }, 'could not read the office editor discovery');
      if (this.value) return this.value;
      throw new EditorUnavailableError();
    }
  }
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
