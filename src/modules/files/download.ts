import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagListMatches } from './commands/writeFile.js';
import { quoteEtag } from './presenters.js';
import type { FilesService } from './service.js';
import type { NodeRow } from './tables.js';

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; several ranges are answered with the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** GET/HEAD of a file's content with ETag, Last-Modified, conditional requests and one byte range. */
export async function sendContent(req: FastifyRequest, reply: FastifyReply, service: FilesService, node: NodeRow, opts: { attachment: boolean }): Promise<FastifyReply> {
  const size = Number(node.size);
  const etag = quoteEtag(node.etag);
  reply.header('etag', etag);
  reply.header('last-modified', new Date(node.modified_at).toUTCString());
  reply.header('accept-ranges', 'bytes');
  reply.header('content-type', node.content_type || 'application/octet-stream');
  // Served content must never run as a page of this origin.
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  if (opts.attachment) reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(node.name)}`);
  const inm = req.headers['if-none-match'];
  if (typeof inm === 'string' && etagListMatches(inm, node.etag)) return reply.status(304).send();
  const ifRange = req.headers['if-range'];
  const range = typeof ifRange === 'string' && ifRange !== etag ? null : parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    return reply.status(416).type('text/plain').send('Range Not Satisfiable');
  }
  if (req.method === 'HEAD') {
    reply.header('content-length', String(range ? range.end - range.start + 1 : size));
    return reply.status(range ? 206 : 200).send();
  }
  if (size === 0) return reply.header('content-length', '0').status(200).send('');
  // A whole file is piped into the response and nothing else: the store may reuse its read buffers.
  const stream = await service.readFile(node, range ?? undefined, range ? undefined : { sink: reply.raw });
  if (range) {
    reply.header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    reply.header('content-length', String(range.end - range.start + 1));
    return reply.status(206).send(stream);
  }
  reply.header('content-length', String(size));
  return reply.status(200).send(stream);
}
