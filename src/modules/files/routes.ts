import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse } from '../../platform/http/validate.js';
import type { IdentityModule } from '../identity/types.js';
import type { FilesActor } from './context.js';
import { sendContent } from './download.js';
import { presentLink, presentAccess, presentNode, presentSearchResult, presentShare, presentSharedItem, presentSpace, presentTrashItem, presentVersion, quoteEtag } from './presenters.js';
import { createLinkSchema, linkParams, copySchema, createFolderSchema, createShareSchema, emptyBody, listQuery, nodeParams, patchNodeSchema, recentQuery, searchQuery, shareParams, spaceParams, updateShareSchema, uploadQuery, versionParams } from './schema.js';
import type { FilesService } from './service.js';
import { PreconditionFailedError } from './errors.js';
import { etagListMatches } from './commands/writeFile.js';
import { registerPreviewRoutes } from './preview/routes.js';
import { zipDisposition } from './commands/zipFolder.js';

/** REST adapter (docs/api.md "Files"): validates, calls the service, presents. */
export async function registerFilesRoutes(app: FastifyInstance, identity: IdentityModule, service: FilesService): Promise<void> {
  const { requireUser } = identity.guards;
  const actor = (req: FastifyRequest): FilesActor => ({ user: req.auth!.user, ip: req.ip });
  const header = (req: FastifyRequest, name: string): string | null => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : null;
  };

  app.get('/api/files/spaces', { preHandler: requireUser }, async (req) => {
    const spaces = await service.spacesOf(req.auth!.user);
    return { spaces: await Promise.all(spaces.map(async (s) => presentSpace(s, await service.usage(s)))) };
  });

  app.get('/api/files/search', { preHandler: requireUser }, async (req) => {
    const { q, limit, offset } = parse(searchQuery, req.query, 'search');
    const { items, hasMore } = await service.search(req.auth!.user, q, { limit, offset });
    return { items: items.map(presentSearchResult), hasMore, limit, offset };
  });

  app.get('/api/files/nodes/:id', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const { node } = await service.node(req.auth!.user, id);
    return reply.header('etag', quoteEtag(node.etag)).send(presentNode(node));
  });

  app.get('/api/files/nodes/:id/children', { preHandler: requireUser }, async (req) => {
    const { id } = parse(nodeParams, req.params);
    const page = parse(listQuery, req.query, 'query');
    const { folder, items, total } = await service.listChildren(req.auth!.user, id, page);
    return { folder: presentNode(folder), items: items.map(presentNode), total, limit: page.limit, offset: page.offset };
  });

  app.post('/api/files/nodes/:id/folders', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const { name } = parse(createFolderSchema, req.body, 'folder');
    const node = await service.createFolder(actor(req), id, name);
    return reply.status(201).header('etag', quoteEtag(node.etag)).send(presentNode(node));
  });

  app.get('/api/files/nodes/:id/content', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const { node } = await service.node(req.auth!.user, id);
    await service.markOpened(req.auth!.user, node);
    return sendContent(req, reply, service, node, { attachment: true });
  });

  app.get('/api/files/favorites', { preHandler: requireUser }, async (req) => {
    const items = await service.listFavorites(req.auth!.user);
    return { items: items.map((f) => ({ ...presentNode(f.node), favoritedAt: f.favoritedAt })) };
  });

  app.put('/api/files/nodes/:id/favorite', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    parse(emptyBody, req.body);
    await service.addFavorite(req.auth!.user, id);
    return reply.status(204).send();
  });

  app.delete('/api/files/nodes/:id/favorite', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    parse(emptyBody, req.body);
    await service.removeFavorite(req.auth!.user, id);
    return reply.status(204).send();
  });

  app.get('/api/files/recent', { preHandler: requireUser }, async (req) => {
    const { limit } = parse(recentQuery, req.query, 'query');
    return { items: (await service.recentFiles(req.auth!.user, limit)).map(presentNode) };
  });

  app.get('/api/files/nodes/:id/zip', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const { node, space } = await service.node(req.auth!.user, id);
    const zip = await service.zipFolder(node);
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', zipDisposition(node.parent_id ? node.name : space.name))
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(zip);
  });

  app.patch('/api/files/nodes/:id', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const input = parse(patchNodeSchema, req.body, 'change');
    const { node } = await service.node(req.auth!.user, id);
    assertIfMatch(header(req, 'if-match'), node.etag);
    const { node: moved } = await service.move(actor(req), id, { parentId: input.parentId ?? node.parent_id ?? '', name: input.name ?? node.name, overwrite: input.onConflict === 'overwrite' });
    return reply.header('etag', quoteEtag(moved.etag)).send(presentNode(moved));
  });

  app.post('/api/files/nodes/:id/copy', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const input = parse(copySchema, req.body, 'copy');
    const { node } = await service.node(req.auth!.user, id);
    const { node: copy } = await service.copy(actor(req), id, { parentId: input.parentId, name: input.name ?? node.name, overwrite: input.onConflict === 'overwrite' });
    return reply.status(201).header('etag', quoteEtag(copy.etag)).send(presentNode(copy));
  });

  app.delete('/api/files/nodes/:id', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    parse(emptyBody, req.body);
    const { node } = await service.node(req.auth!.user, id);
    assertIfMatch(header(req, 'if-match'), node.etag);
    await service.trash(actor(req), id);
    return reply.status(204).send();
  });

  app.get('/api/files/spaces/:id/trash', { preHandler: requireUser }, async (req) => {
    const { id } = parse(spaceParams, req.params);
    return { items: (await service.listTrash(req.auth!.user, id)).map(presentTrashItem) };
  });

  app.delete('/api/files/spaces/:id/trash', { preHandler: requireUser }, async (req) => {
    const { id } = parse(spaceParams, req.params);
    return { purged: await service.emptyTrash(actor(req), id) };
  });

  app.post('/api/files/trash/:id/restore', { preHandler: requireUser }, async (req) => {
    const { id } = parse(nodeParams, req.params);
    parse(emptyBody, req.body);
    return presentNode(await service.restoreTrash(actor(req), id));
  });

  app.delete('/api/files/trash/:id', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    await service.purgeTrash(actor(req), id);
    return reply.status(204).send();
  });

  app.get('/api/files/nodes/:id/versions', { preHandler: requireUser }, async (req) => {
    const { id } = parse(nodeParams, req.params);
    const { versions } = await service.listVersions(req.auth!.user, id);
    return { versions: versions.map(presentVersion) };
  });

  app.post('/api/files/nodes/:id/versions/:versionId/restore', { preHandler: requireUser }, async (req) => {
    const { id, versionId } = parse(versionParams, req.params);
    parse(emptyBody, req.body);
    return presentNode(await service.restoreVersion(actor(req), id, versionId));
  });

  app.get('/api/files/shared-with-me', { preHandler: requireUser }, async (req) => {
    return { items: (await service.sharedWithMe(req.auth!.user)).map(presentSharedItem) };
  });

  app.get('/api/files/nodes/:id/access', { preHandler: requireUser }, async (req) => {
    const { id } = parse(nodeParams, req.params);
    return presentAccess(await service.access(req.auth!.user, id));
  });

  app.get('/api/files/nodes/:id/shares', { preHandler: requireUser }, async (req) => {
    const { id } = parse(nodeParams, req.params);
    return { shares: (await service.listShares(req.auth!.user, id)).map(presentShare) };
  });

  app.post('/api/files/nodes/:id/shares', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const input = parse(createShareSchema, req.body, 'share');
    return reply.status(201).send(presentShare(await service.createShare(actor(req), id, input)));
  });

  app.patch('/api/files/nodes/:id/shares/:shareId', { preHandler: requireUser }, async (req) => {
    const { id, shareId } = parse(shareParams, req.params);
    const { role } = parse(updateShareSchema, req.body, 'share');
    return presentShare(await service.updateShare(actor(req), id, shareId, role));
  });

  app.delete('/api/files/nodes/:id/shares/:shareId', { preHandler: requireUser }, async (req, reply) => {
    const { id, shareId } = parse(shareParams, req.params);
    parse(emptyBody, req.body);
    await service.deleteShare(actor(req), id, shareId);
    return reply.status(204).send();
  });

  app.get('/api/files/nodes/:id/links', { preHandler: requireUser }, async (req) => {
    const { id } = parse(nodeParams, req.params);
    return { links: (await service.listLinks(req.auth!.user, id)).map(presentLink) };
  });

  app.post('/api/files/nodes/:id/links', { preHandler: requireUser }, async (req, reply) => {
    const { id } = parse(nodeParams, req.params);
    const input = parse(createLinkSchema, req.body, 'link');
    const { link, token } = await service.createLink(actor(req), id, input);
    // The token is shown once: only its hash is stored.
    return reply.status(201).send({ ...presentLink(link), token });
  });

  app.delete('/api/files/nodes/:id/links/:linkId', { preHandler: requireUser }, async (req, reply) => {
    const { id, linkId } = parse(linkParams, req.params);
    parse(emptyBody, req.body);
    await service.revokeLink(actor(req), id, linkId);
    return reply.status(204).send();
  });

  registerPreviewRoutes(app, {
    base: '/api/files/nodes/:id',
    previews: service.previews,
    preHandler: requireUser,
    resolve: async (req) => (await service.node(req.auth!.user, parse(nodeParams, req.params).id)).node,
    opened: (req, node) => service.markOpened(req.auth!.user, node),
  });

  // Uploads stream: this scope's body parser hands the request stream through untouched.
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

    raw.put('/api/files/nodes/:id/upload', { preHandler: requireUser }, async (req, reply) => {
      const { id } = parse(nodeParams, req.params);
      const { name } = parse(uploadQuery, req.query, 'query');
      const { space, node: parent } = await service.node(req.auth!.user, id);
      const length = header(req, 'content-length');
      const { node, created } = await service.writeFile(actor(req), {
        space,
        parent,
        name,
        body: req.raw,
        contentType: header(req, 'content-type'),
        contentLength: length === null ? null : Number(length),
        ifMatch: header(req, 'if-match'),
        ifNoneMatch: header(req, 'if-none-match'),
      });
      return reply.status(created ? 201 : 200).header('etag', quoteEtag(node.etag)).send(presentNode(node));
    });
  });
}

function assertIfMatch(ifMatch: string | null, etag: string): void {
  if (ifMatch !== null && !etagListMatches(ifMatch, etag)) throw new PreconditionFailedError();
}
