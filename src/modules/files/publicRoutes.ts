import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '../../platform/errors.js';
import { QuotaExceededError } from './errors.js';
import type { WriteFileInput } from './commands/writeFile.js';
import type { FilesActor } from './context.js';
import { parse } from '../../platform/http/validate.js';
import { LINK_ACCESS_SECONDS } from './commands/links.js';
import { sendContent } from './download.js';
import { zipDisposition } from './commands/zipFolder.js';
import { presentPublicNode, quoteEtag } from './presenters.js';
import { listQuery, publicLinkParams, publicNodeParams, unlockSchema, uploadQuery } from './schema.js';
import type { FilesService } from './service.js';
import { registerPreviewRoutes } from './preview/routes.js';

const COOKIE = 'tessera_link';

/**
 * Public links (docs/api.md "Public links"): no account; the token in the URL is the key, plus a
 * short-lived signed access token (cookie or X-Link-Access header) when the link has a password.
 */
export async function registerPublicLinkRoutes(app: FastifyInstance, service: FilesService, secureCookies: boolean): Promise<void> {
  const accessOf = (req: FastifyRequest): string | null => {
    const h = req.headers['x-link-access'];
    if (typeof h === 'string' && h) return h;
    const cookie = req.headers.cookie ?? '';
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === COOKIE) return v.join('=');
    }
    return null;
  };
  const open = async (req: FastifyRequest) => {
    const { token } = parse(publicLinkParams, { token: (req.params as { token?: unknown }).token });
    const link = await service.openLink(token);
    return { link, token, unlocked: service.isLinkUnlocked(link, accessOf(req)) };
  };
  const openNode = async (req: FastifyRequest) => {
    const { nodeId } = parse(publicNodeParams, req.params);
    const { link, unlocked } = await open(req);
    if (!unlocked) service.assertLinkUnlocked(link, null);
    return { link, node: await service.nodeInLink(link, nodeId) };
  };

  app.get('/api/public/links/:token', async (req) => {
    const { link, unlocked } = await open(req);
    return {
      role: link.link.role,
      passwordRequired: link.link.password_hash !== null,
      unlocked,
      expiresAt: link.link.expires_at,
      item: unlocked ? presentPublicNode(link.node) : null,
    };
  });

  app.post('/api/public/links/:token/unlock', async (req, reply: FastifyReply) => {
    const { link, token } = await open(req);
    const { password } = parse(unlockSchema, req.body, 'unlock');
    try {
      const { access, expiresAt } = await service.unlockLink(link, password, req.ip);
      const cookie = `${COOKIE}=${access}; Path=/api/public/links/${token}; Max-Age=${LINK_ACCESS_SECONDS}; HttpOnly; SameSite=Lax${secureCookies ? '; Secure' : ''}`;
      return reply.header('set-cookie', cookie).send({ access, expiresAt });
    } catch (e) {
      if (e instanceof TooManyRequestsError) reply.header('retry-after', String(e.retryAfterSeconds));
      throw e;
    }
  });

  app.get('/api/public/links/:token/nodes/:nodeId/children', async (req) => {
    const { link, node } = await openNode(req);
    // Upload-only links never show what the folder holds.
    if (link.link.role === 'upload') throw new ForbiddenError('This link only accepts uploads.', 'upload_only');
    const page = parse(listQuery, req.query, 'query');
    const { folder, items, total } = await service.listChildren(link.creator, node.id, page);
    return { folder: presentPublicNode(folder), items: items.map(presentPublicNode), total, limit: page.limit, offset: page.offset };
  });

  app.get('/api/public/links/:token/nodes/:nodeId/content', async (req, reply) => {
    const { link, node } = await openNode(req);
    if (link.link.role === 'upload') throw new ForbiddenError('This link only accepts uploads.', 'upload_only');
    return sendContent(req, reply, service, node, { attachment: true });
  });

  registerPreviewRoutes(app, {
    base: '/api/public/links/:token/nodes/:nodeId',
    previews: service.previews,
    resolve: async (req) => {
      const { link, node } = await openNode(req);
      if (link.link.role === 'upload') throw new ForbiddenError('This link only accepts uploads.', 'upload_only');
      return node;
    },
  });

  app.get('/api/public/links/:token/nodes/:nodeId/zip', async (req, reply) => {
    const { link, node } = await openNode(req);
    if (link.link.role === 'upload') throw new ForbiddenError('This link only accepts uploads.', 'upload_only');
    const zip = await service.zipFolder(node);
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', zipDisposition(node.name || link.node.name))
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(zip);
  });

  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

    raw.put('/api/public/links/:token/nodes/:nodeId/upload', async (req, reply) => {
      const { link, node: folder } = await openNode(req);
      if (link.link.role === 'view') throw new ForbiddenError('This link is for viewing only.', 'read_only');
      if (folder.kind !== 'folder') throw new ValidationError('Uploads go into a folder.');
      const { name: wanted } = parse(uploadQuery, req.query, 'query');
      const header = (n: string): string | null => (typeof req.headers[n] === 'string' ? (req.headers[n] as string) : null);
      const length = header('content-length');
      const actor = { user: link.creator, ip: req.ip };
      const common = { space: link.space, parent: folder, body: req.raw, contentType: header('content-type'), contentLength: length === null ? null : Number(length) };
      if (link.link.role === 'upload') {
        // Never overwrite, and never say what exists: a taken name quietly becomes "name (2).ext".
        if (folder.id !== link.link.node_id) throw new NotFoundError('This item does not exist in this link.');
        const name = await service.freeChildName(folder, wanted);
        const { node } = await write(service, actor, { ...common, name, ifNoneMatch: '*' });
        return reply.status(201).send({ name: node.name, size: Number(node.size) });
      }
      const { node, created } = await write(service, actor, { ...common, name: wanted, ifMatch: header('if-match'), ifNoneMatch: header('if-none-match') });
      return reply.status(created ? 201 : 200).header('etag', quoteEtag(node.etag)).send(presentPublicNode(node));
    });
  });
}

/** A full space says so, without telling a stranger how much the owner stores. */
async function write(service: FilesService, actor: FilesActor, input: WriteFileInput) {
  try {
    return await service.writeFile(actor, input);
  } catch (e) {
    if (e instanceof QuotaExceededError) throw new AppError(507, 'quota_exceeded', 'There is not enough storage left for this upload. Tell the person who sent you the link.');
    throw e;
  }
}
