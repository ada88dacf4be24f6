import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserView } from '../../identity/types.js';
import type { FilesActor, FilesContext } from '../context.js';
import type { FilesService } from '../service.js';
import type { NodeRow } from '../tables.js';
import type { IfList } from './ifHeader.js';
import type { DavTarget } from './target.js';

/** Everything a WebDAV method handler gets for one request. */
export interface DavRequest {
  req: FastifyRequest;
  reply: FastifyReply;
  user: UserView;
  actor: FilesActor;
  ctx: FilesContext;
  service: FilesService;
  target: DavTarget;
  /** The item at the request URL, or undefined when the URL is unmapped. */
  node: NodeRow | undefined;
  /** The folder holding the URL's item (or where a new one would go); undefined at the root or when a folder on the way is missing. */
  parent: NodeRow | undefined;
  /** The parsed If header, or null when absent. */
  ifLists: IfList[] | null;
}

export function headerOf(req: FastifyRequest, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
}
