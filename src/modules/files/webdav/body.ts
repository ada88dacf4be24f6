import type { FastifyRequest } from 'fastify';
import { AppError, PayloadTooLargeError, ValidationError } from '../../../platform/errors.js';
import { parseXml, XmlError, type XmlElement } from './xml.js';

const MAX_XML_BYTES = 1024 * 1024;

/** Reads a small XML request body (PROPFIND, PROPPATCH, LOCK); null when there is none. */
export async function readXmlBody(req: FastifyRequest): Promise<XmlElement | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_XML_BYTES) throw new PayloadTooLargeError('The XML request body is too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return null;
  try {
    return parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) throw new ValidationError(`The XML request body is not well-formed: ${e.message}.`);
    throw e;
  }
}

/** Drains and refuses a body where the method takes none (MKCOL with a body is 415, RFC 4918 §9.3). */
export async function hasBody(req: FastifyRequest): Promise<boolean> {
  const length = req.headers['content-length'];
  if (length !== undefined && length !== '0') return true;
  return req.headers['transfer-encoding'] !== undefined;
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}
