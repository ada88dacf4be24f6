import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, ValidationError } from '../../../platform/errors.js';
import { parse } from '../../../platform/http/validate.js';
import type { IdentityModule } from '../../identity/types.js';
import type { FilesActor } from '../context.js';
import { nodeParams } from '../schema.js';
import type { FilesService } from '../service.js';
import type { UploadRow } from '../tables.js';
import { MAX_UPLOAD_BYTES } from './uploads.js';

export const TUS_VERSION = '1.0.0';
const EXTENSIONS = 'creation,termination,expiration';
export const UPLOADS_PATH = '/api/files/uploads';

const byteCount = z.string().regex(/^\d{1,16}$/, 'must be a whole number of bytes').transform(Number);

/** What Upload-Metadata may carry (keys as tus clients send them, values base64 in the header). */
const metadataSchema = z
  .object({
    name: z.string().max(1000),
    parentId: z.string().min(1).max(100),
    contentType: z.string().max(255).optional(),
    onConflict: z.enum(['fail', 'overwrite']).default('overwrite'),
  })
  .strict();

const createHeaders = z.object({ uploadLength: byteCount, metadata: z.string().max(8000) }).strict();
const patchHeaders = z.object({ uploadOffset: byteCount }).strict();

/** 412 for a client speaking another tus version: it learns ours from Tus-Version. */
class TusVersionError extends AppError {
  constructor() {
    super(412, 'tus_version', `This server speaks tus ${TUS_VERSION}; send Tus-Resumable: ${TUS_VERSION}.`);
  }
}

/** `key base64,key2 base64` -> { key: value }; a key without value maps to ''. */
export function parseUploadMetadata(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of header.split(',')) {
    const trimmed = pair.trim();
    if (!trimmed) continue;
    const [key, value, extra] = trimmed.split(' ');
    if (!key || extra !== undefined || (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value))) throw new ValidationError('Invalid Upload-Metadata: give "key base64value" pairs separated by commas.');
    if (key in out) throw new ValidationError(`Invalid Upload-Metadata: ${key} appears twice.`);
    out[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

/**
 * The tus 1.0.0 adapter (docs/protocols/tus.md): core, creation, termination and expiration,
 * for signed-in people (session cookie + X-CSRF-Token like every /api write). The rules live in
 * uploads.ts; this validates headers and maps answers.
 */
export async function registerUploadRoutes(app: FastifyInstance, identity: IdentityModule, service: FilesService): Promise<void> {
  const { requireUser } = identity.guards;
  const actor = (req: FastifyRequest): FilesActor => ({ user: req.auth!.user, ip: req.ip });
  const header = (req: FastifyRequest, name: string): string | undefined => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const requireTus = async (req: FastifyRequest) => {
    if (header(req, 'tus-resumable') !== TUS_VERSION) throw new TusVersionError();
  };
  const state = (reply: FastifyReply, upload: UploadRow) => {
    reply.header('upload-offset', String(upload.received));
    reply.header('upload-expires', new Date(upload.expires_at).toUTCString());
    if (upload.node_id) reply.header('tessera-node-id', upload.node_id);
  };

  await app.register(async (raw) => {
    // PATCH bodies stream straight into the blob store.
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    raw.addHook('onSend', async (req, reply) => {
      reply.header('tus-resumable', TUS_VERSION);
      if (reply.statusCode === 412 && header(req, 'tus-resumable') !== TUS_VERSION) reply.header('tus-version', TUS_VERSION);
      reply.header('cache-control', 'no-store');
    });

    raw.options(UPLOADS_PATH, async (_req, reply) => {
      return reply.status(204).header('tus-version', TUS_VERSION).header('tus-extension', EXTENSIONS).header('tus-max-size', String(MAX_UPLOAD_BYTES)).send();
    });

    raw.post(UPLOADS_PATH, { preHandler: [requireUser, requireTus] }, async (req, reply) => {
      if (header(req, 'upload-defer-length') !== undefined) throw new ValidationError('Give Upload-Length: this server does not accept uploads of unknown length.');
      const h = parse(createHeaders, { uploadLength: header(req, 'upload-length'), metadata: header(req, 'upload-metadata') ?? '' }, 'headers');
      const meta = parse(metadataSchema, parseUploadMetadata(h.metadata), 'Upload-Metadata');
      const { upload } = await service.createUpload(actor(req), {
        parentId: meta.parentId,
        name: meta.name,
        length: h.uploadLength,
        contentType: meta.contentType ?? null,
        createOnly: meta.onConflict === 'fail',
        metadata: h.metadata,
      });
      state(reply, upload);
      return reply.status(201).header('location', `${UPLOADS_PATH}/${upload.id}`).send();
    });

    raw.head(`${UPLOADS_PATH}/:id`, { preHandler: [requireUser, requireTus] }, async (req, reply) => {
      const { id } = parse(nodeParams, req.params);
      const upload = await service.uploadStatus(req.auth!.user, id);
      state(reply, upload);
      reply.header('upload-length', String(upload.length));
      if (upload.metadata) reply.header('upload-metadata', upload.metadata);
      return reply.status(200).send();
    });

    raw.patch(`${UPLOADS_PATH}/:id`, { preHandler: [requireUser, requireTus] }, async (req, reply) => {
      const { id } = parse(nodeParams, req.params);
      if (header(req, 'content-type')?.split(';')[0]?.trim() !== 'application/offset+octet-stream') {
        throw new AppError(415, 'unsupported_media_type', 'Send the bytes of a PATCH as Content-Type: application/offset+octet-stream.');
      }
      const h = parse(patchHeaders, { uploadOffset: header(req, 'upload-offset') }, 'headers');
      const { upload } = await service.appendToUpload(actor(req), id, h.uploadOffset, req.raw);
      state(reply, upload);
      return reply.status(204).send();
    });

    raw.delete(`${UPLOADS_PATH}/:id`, { preHandler: [requireUser, requireTus] }, async (req, reply) => {
      const { id } = parse(nodeParams, req.params);
      await service.terminateUpload(req.auth!.user, id);
      return reply.status(204).send();
    });
  });
}
