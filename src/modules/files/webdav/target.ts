import { AppError, ValidationError } from '../../../platform/errors.js';
import type { UserView } from '../../identity/types.js';
import { nameProblem } from '../names.js';
import type { FilesService } from '../service.js';
import type { SpaceRow } from '../tables.js';

/** Where a DAV URL points: a space, its mount URL and the names below the space root. */
export interface DavTarget {
  space: SpaceRow;
  /** '/dav/files/alice' or '/dav/spaces/team' (no trailing slash). */
  mount: string;
  names: string[];
  /** '/' for the root, else '/a/b'. */
  path: string;
}

export const DAV_PREFIX = '/dav';

/**
 * Decodes a request path segment by segment, so an encoded slash (%2F), "..", "." or NUL in a
 * segment is refused instead of changing which item is meant.
 */
export function splitDavPath(rawPath: string): { kind: 'files' | 'spaces'; owner: string; names: string[] } {
  if (rawPath.includes('#')) throw new ValidationError('A URL with a fragment (#) names no item.');
  const m = /^\/dav\/(files|spaces)\/([^/]+)(\/.*)?$/.exec(rawPath);
  if (!m) throw new AppError(404, 'not_found', 'WebDAV lives at /dav/files/<username>/ and /dav/spaces/<group>/.');
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
  return { kind: m[1] as 'files' | 'spaces', owner, names };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ValidationError('The URL is not correctly percent-encoded.');
  }
}

export async function resolveTarget(service: FilesService, user: UserView, rawPath: string): Promise<DavTarget> {
  const { kind, owner, names } = splitDavPath(rawPath);
  let space: SpaceRow;
  if (kind === 'files') {
    if (owner !== user.username) throw new AppError(403, 'forbidden', 'These are another person\'s files.');
    space = await service.personalSpace(user);
  } else {
    space = await service.groupSpaceByName(user, owner);
  }
  return { space, mount: `${DAV_PREFIX}/${kind}/${encodeSegment(owner)}`, names, path: names.length ? '/' + names.join('/') : '/' };
}

/** Percent-encodes one name for an href; unreserved characters and a few safe ones stay readable. */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function hrefOf(mount: string, path: string, folder: boolean): string {
  if (path === '/') return mount + '/';
  const encoded = path
    .split('/')
    .slice(1)
    .map(encodeSegment)
    .join('/');
  return `${mount}/${encoded}${folder ? '/' : ''}`;
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
