import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { parse } from '../../../platform/http/validate.js';
import { etagListMatches } from '../commands/writeFile.js';
import type { NodeRow } from '../tables.js';
import type { Previews, Rendition } from './previews.js';

/** `v`: the file's ETag, so a browser may keep the thumbnail for good (a new version gets a new address). */
export const thumbnailQuery = z.object({ size: z.enum(['64', '128', '256', '512']).default('256'), v: z.string().max(100).optional() }).strict();
const noQuery = z.object({}).strict();

/**
 * The three preview routes under one item's path (signed-in files and public links alike):
 * `<base>/preview` (what can be shown), `<base>/preview/content`, `<base>/thumbnail?size=`.
 * `resolve` does the access check, the same one a download of the item does.
 */
export function registerPreviewRoutes(
  app: FastifyInstance,
  opts: {
    base: string;
    previews: Previews;
    resolve: (req: FastifyRequest) => Promise<NodeRow>;
    preHandler?: preHandlerHookHandler;
    /** Called when the preview itself is shown (not for descriptions or thumbnails): Recent. */
    opened?: (req: FastifyRequest, node: NodeRow) => Promise<void>;
  },
): void {
  const { base, previews, resolve } = opts;
  const route = opts.preHandler ? { preHandler: opts.preHandler } : {};

  app.get(`${base}/preview`, route, async (req) => {
    parse(noQuery, req.query, 'query');
    const node = await resolve(req);
    const info = await previews.describe(node);
    const path = req.url.split('?')[0]!;
    return {
      ...info,
      url: info.available ? `${path}/content` : null,
      thumbnailUrl: info.thumbnail ? `${path.replace(/\/preview$/, '/thumbnail')}` : null,
    };
  });

  app.get(`${base}/preview/content`, route, async (req, reply) => {
    parse(noQuery, req.query, 'query');
    const node = await resolve(req);
    const rendition = await previews.content(node);
    await opts.opened?.(req, node);
    return sendRendition(req, reply, rendition);
  });

  app.get(`${base}/thumbnail`, route, async (req, reply) => {
    const { size, v } = parse(thumbnailQuery, req.query, 'query');
    const node = await resolve(req);
    const rendition = await previews.thumbnail(node, Number(size) as 64 | 128 | 256 | 512);
    return sendRendition(req, reply, rendition, v === node.etag);
  });
}

/** Renditions are served with a type Tessera chose, sandboxed, and revalidated by ETag. */
function sendRendition(req: FastifyRequest, reply: FastifyReply, r: Rendition, immutable = false): FastifyReply {
  const etag = `"${r.etag}"`;
  reply.header('etag', etag);
  reply.header('cache-control', immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache');
  reply.header('content-type', r.contentType);
  // Never a page of this origin: no script runs even if the bytes were crafted to look like HTML.
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('content-disposition', r.contentType.startsWith('image/') ? 'inline' : 'attachment');
  const inm = req.headers['if-none-match'];
  if (typeof inm === 'string' && etagListMatches(inm, r.etag)) {
    if (!Buffer.isBuffer(r.body)) r.body.destroy();
    return reply.status(304).send();
  }
  reply.header('content-length', String(r.size));
  return reply.status(200).send(r.body);
}
