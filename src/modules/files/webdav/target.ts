import { AppError, ValidationError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { nameProblem } from '../names.js';
import type { FilesService } from '../service.js';
import type { SpaceRow } from '../tables.js';
import { resolveShared } from './sharedMount.js';

export type DavMountKind = 'files' | 'spaces' | 'shared';

/** Where a DAV URL points: a space, its mount URL and the names below the space root. */
export interface DavTarget {
  kind: DavMountKind;
  space: SpaceRow;
  /**
   * The URL that shows the space path `base` (no trailing slash): '/dav/files/alice' or
   * '/dav/spaces/team' (base '/'), or '/dav/shared/bob/Plan (alice).docx' (base: the shared item's path).
   */
  mount: string;
  /** The space path the mount URL shows: '/' for own and group spaces, else the shared item's path. */
  base: string;
  /** For /dav/shared/: the item's name there (its own, or made unique: "Plan (alice).docx"). */
  entryName?: string;
  /** Real names below the space root (not below the mount). */
  names: string[];
  /** The path in the space: '/' for the root, else '/a/b'. Locks are keyed by it. */
  path: string;
}

/** The top of /dav/shared/<user>/ or an unmapped name at that level: it belongs to no space. */
export interface SharedTop {
  kind: 'sharedTop';
  /** '/dav/shared/bob' (no trailing slash). */
  mount: string;
  /** [] for the top itself, else the names below it (the first matches no shared item). */
  names: string[];
}

/** Is this URL the top of its mount: a space root, or a shared item as listed in /dav/shared/<user>/? */
export function atMountRoot(target: DavTarget): boolean {
  return target.path === target.base;
}

export const DAV_PREFIX = '/dav';

/**
 * Decodes a request path segment by segment, so an encoded slash (%2F), "..", "." or NUL in a
 * segment is refused instead of changing which item is meant.
 */
export function splitDavPath(rawPath: string): { kind: DavMountKind; owner: string; names: string[] } {
  if (rawPath.includes('#')) throw new ValidationError('A URL with a fragment (#) names no item.');
  const m = /^\/dav\/(files|spaces|shared)\/([^/]+)(\/.*)?$/.exec(rawPath);
  if (!m) throw new AppError(404, 'not_found', 'WebDAV lives at /dav/files/<username>/, /dav/shared/<username>/ and /dav/spaces/<group>/.');
  const owner = decodeSegment(m[2]!);
  const names = (m[3] ?? '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const name = decodeSegment(s);
      const problem = nameProblem(name);
      if (problem) throw new ValidationError(`Invalid path: ${problem}.`);
      return name;
    });
  return { kind: m[1] as DavMountKind, owner, names };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ValidationError('The URL is not correctly percent-encoded.');
  }
}

/** Where a request URL points: an item's place in a space, or the virtual top of /dav/shared/<user>/. */
export async function resolveLocation(service: FilesService, user: UserView, rawPath: string): Promise<DavTarget | SharedTop> {
  const { kind, owner, names } = splitDavPath(rawPath);
  if (kind !== 'spaces' && owner !== user.username) {
    throw new AppError(403, 'forbidden', kind === 'files' ? 'These are another person\'s files.' : 'This is what is shared with another person.');
  }
  const mount = `${DAV_PREFIX}/${kind}/${encodeSegment(owner)}`;
  if (kind === 'shared') return resolveShared(service, user, mount, names);
  const space = kind === 'files' ? await service.personalSpace(user) : await service.groupSpaceByName(user, owner);
  return { kind, space, mount, base: '/', names, path: pathFromNames(names) };
}

/** A URL that must name a place in a space (Destination, If tags): the top of /dav/shared/ is read-only. */
export async function resolveTarget(service: FilesService, user: UserView, rawPath: string): Promise<DavTarget> {
  const location = await resolveLocation(service, user, rawPath);
  if (location.kind === 'sharedTop') throw new AppError(403, 'forbidden', SHARED_TOP_READ_ONLY);
  return location;
}

export const SHARED_TOP_READ_ONLY = 'The top of /dav/shared/ only lists what is shared with you: put items inside a shared folder, or in your own files.';

export function pathFromNames(names: string[]): string {
  return names.length ? '/' + names.join('/') : '/';
}

/** Percent-encodes one name for an href; unreserved characters and a few safe ones stay readable. */
const URI_RESERVED_LEFT = /[!'()*]/;

export function encodeSegment(name: string): string {
  const encoded = encodeURIComponent(name);
  return URI_RESERVED_LEFT.test(encoded) ? encoded.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()) : encoded;
}

/**
 * The URL of a space path seen through a mount showing `base` (see DavTarget). A path outside the
 * mount (a lock rooted above a shared item) is shown as the mount's own URL.
 */
export function hrefOf(mount: string, spacePath: string, folder: boolean, base = '/'): string {
  const inside = base === '/' || spacePath === base || spacePath.startsWith(base + '/');
  const path = !inside || spacePath === base ? '/' : base === '/' ? spacePath : spacePath.slice(base.length);
  if (path === '/') return base === '/' ? mount + '/' : mount + (folder ? '/' : '');
  const encoded = path
    .split('/')
    .slice(1)
    .map(encodeSegment)
    .join('/');
  return `${mount}/${encoded}${folder ? '/' : ''}`;
}

/** The URL of a child of the folder whose URL is `folderHref` (as hrefOf gives it, ending in '/'). */
export function childHref(folderHref: string, name: string, folder: boolean): string {
  return folderHref + encodeSegment(name) + (folder ? '/' : '');
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * The path of an absolute URL or absolute path as sent (Destination, If tags), without the URL
 * parser's dot-segment resolution: "%2e%2e" must reach splitDavPath and be refused, not resolved.
 */
export function rawPathOf(urlOrPath: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(urlOrPath);
  const path = m ? m[1] || '/' : urlOrPath.split('?')[0]!;
  if (!path.startsWith('/')) throw new ValidationError('Expected an absolute URL or path.');
  return path;
}
