import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config } from '../config/config.js';
import { verifyingTransform } from './verifiedReader.js';
import { assertBlobKey, BlobChecksumError, BlobNotFoundError, BlobRangeError, resolveRange, type BlobInfo, type BlobRange, type BlobStore } from './blobStore.js';
import { toChunks } from './chunks.js';
import { copyLargeObject, SINGLE_COPY_LIMIT } from './s3Copy.js';

type S3Config = Extract<Config['blobs'], { kind: 's3' }>;

/** Uploads in flight live under this prefix; keys cannot start with a dot, so they never collide. */
const TEMP = '.tmp/';
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
const PART_SIZE = 8 * 1024 * 1024;

/**
 * The checksum is known only once the last byte went up, but S3 metadata is fixed when an upload
 * starts. So a stream goes to a temporary key first and is then copied onto its real key with
 * the checksum as metadata: the copy is atomic, so readers see the old object or the complete
 * new one, never a partial one or one without its checksum.
 */
export async function createS3BlobStore(config: S3Config, opts: { staleTempMs?: number } = {}): Promise<BlobStore> {
  const client = new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
    // We verify our own SHA-256 on every read; the SDK's default trailing checksums need
    // aws-chunked uploads that several S3-compatible servers do not implement.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // An unreachable endpoint should fail a request in seconds, not hang it (readiness probes).
    requestHandler: { connectionTimeout: 5000 },
  });
  const Bucket = config.bucket;
  const base = config.prefix ? `${config.prefix}/` : '';
  const objectKey = (key: string) => base + key;

  await cleanStaleUploads(client, Bucket, base + TEMP, opts.staleTempMs ?? STALE_TEMP_MS).catch(() => {
    /* best effort: an unreachable bucket is reported by check() with a clearer message */
  });

  // The content type is kept in metadata too: S3 fills in a default one when none was given.
  const metadataOf = (info: BlobInfo): Record<string, string> => ({
    sha256: info.sha256,
    size: String(info.size),
    ...(info.contentType ? { ctype: info.contentType } : {}),
  });

  async function head(key: string): Promise<BlobInfo | null> {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket, Key: objectKey(key) }));
      const info = infoFrom(key, out.Metadata);
      if (!info) throw new BlobChecksumError(key);
      return info;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** A slice cannot be checked against the whole-object checksum, so it is streamed as is. */
  async function getRange(key: string, range: BlobRange): Promise<Readable> {
    const info = await head(key);
    if (!info) throw new BlobNotFoundError(key);
    const span = resolveRange(range, info.size);
    if (!span) throw new BlobRangeError(key, range, info.size);
    try {
      const out = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key), Range: `bytes=${span.start}-${span.end}` }));
      if (!(out.Body instanceof Readable)) throw new Error('The S3 client returned a body that is not a Node stream');
      // Some S3-compatible servers ignore or misread Range (s3rver takes "0-0" as "0-"): trust
      // only the span the response says it holds, and cut the requested slice out of it.
      const held = /^bytes (\d+)-(\d+)\//.exec(out.ContentRange ?? '');
      const heldStart = held ? Number(held[1]) : 0;
      if (heldStart > span.start) throw new Error(`The S3 server answered a range request for ${key} with the wrong bytes`);
      const body = out.Body;
      const sliced = slice(span.start - heldStart, span.end - span.start + 1);
      body.on('error', (e) => sliced.destroy(e));
      sliced.on('close', () => {
        if (!body.destroyed) body.destroy();
      });
      return body.pipe(sliced);
    } catch (e) {
      if (isNotFound(e)) throw new BlobNotFoundError(key);
      throw e;
    }
  }

  return {
    kind: 's3',

    async put(key, body, opts = {}) {
      assertBlobKey(key);
      const ContentType = opts.contentType;
      if (Buffer.isBuffer(body)) {
        const info: BlobInfo = { key, size: body.length, sha256: sha256(body), ...(ContentType ? { contentType: ContentType } : {}) };
        await client.send(new PutObjectCommand({ Bucket, Key: objectKey(key), Body: body, ContentType, Metadata: metadataOf(info) }));
        return info;
      }
      const temp = `${base}${TEMP}${Date.now()}-${randomBytes(8).toString('hex')}`;
      const hash = createHash('sha256');
      let size = 0;
      // Counting and hashing happen as parts are read, so at most queueSize parts sit in memory.
      const counted = Readable.from(
        (async function* () {
          for await (const chunk of toChunks(body)) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        })(),
      );
      let sourceError: unknown;
      counted.on('error', (e) => (sourceError ??= e));
      const upload = new Upload({ client, params: { Bucket, Key: temp, Body: counted }, partSize: PART_SIZE, queueSize: 2 });
      try {
        await upload.done();
        const info: BlobInfo = { key, size, sha256: hash.digest('hex'), ...(ContentType ? { contentType: ContentType } : {}) };
        const target = objectKey(key);
        if (size <= SINGLE_COPY_LIMIT) {
          await client.send(
            new CopyObjectCommand({
              Bucket,
              Key: target,
              CopySource: `${Bucket}/${encodeURI(temp)}`,
              MetadataDirective: 'REPLACE',
              Metadata: metadataOf(info),
              ContentType,
            }),
          );
        } else {
          await copyLargeObject(client, { Bucket, source: temp, target, size, metadata: metadataOf(info), contentType: ContentType });
        }
        return info;
      } catch (e) {
        // The caller needs the cause (e.g. the client's connection dropped), not the SDK's echo of it.
        throw sourceError ?? e;
      } finally {
        await client.send(new DeleteObjectCommand({ Bucket, Key: temp })).catch(() => {});
      }
    },

    async get(key, range) {
      assertBlobKey(key);
      if (range) return getRange(key, range);
      let out;
      try {
        out = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key) }));
      } catch (e) {
        if (isNotFound(e)) throw new BlobNotFoundError(key);
        throw e;
      }
      const info = infoFrom(key, out.Metadata);
      const source = out.Body;
      if (!(source instanceof Readable)) throw new Error('The S3 client returned a body that is not a Node stream');
      if (!info) {
        source.destroy();
        throw new BlobChecksumError(key);
      }
      const verify = verifyingTransform(info);
      source.on('error', (e) => verify.destroy(e));
      verify.on('close', () => {
        if (!source.destroyed) source.destroy();
      });
      return source.pipe(verify);
    },

    async stat(key) {
      assertBlobKey(key);
      return head(key);
    },

    async delete(key) {
      assertBlobKey(key);
      // S3 DELETE succeeds for a missing key too, which is the idempotence we want.
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },

    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }), { abortSignal: AbortSignal.timeout(10_000) });
      } catch (e) {
        const status = httpStatus(e);
        const why = status === 404 ? 'it does not exist' : status === 403 ? 'access was denied (check the S3 credentials)' : (e as Error).message || (e as Error).name;
        throw new Error(`The S3 bucket ${Bucket}${config.endpoint ? ` at ${config.endpoint}` : ''} cannot be used: ${why}`);
      }
    },

    async close() {
      client.destroy();
    },
  };
}

/** Null when the metadata is missing or malformed (e.g. written by another tool): it cannot be verified. */
function infoFrom(key: string, metadata: Record<string, string> | undefined): BlobInfo | null {
  const sha = metadata?.sha256;
  const size = Number(metadata?.size);
  if (!sha || !/^[0-9a-f]{64}$/.test(sha) || !Number.isSafeInteger(size)) return null;
  const contentType = metadata?.ctype;
  return { key, size, sha256: sha, ...(contentType ? { contentType } : {}) };
}

/**
 * Removes what writers that died left behind: temporary objects, and multipart uploads that were
 * never completed (invisible, but still stored and billed). One delete per object, because some
 * S3-compatible servers lack the batch DeleteObjects call, and stale leftovers are few.
 */
async function cleanStaleUploads(client: S3Client, Bucket: string, prefix: string, staleMs: number): Promise<void> {
  const cutoff = Date.now() - staleMs;
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
    for (const o of page.Contents ?? []) {
      if (o.Key && o.LastModified && o.LastModified.getTime() <= cutoff) await client.send(new DeleteObjectCommand({ Bucket, Key: o.Key }));
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  try {
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: prefix }));
    for (const u of uploads.Uploads ?? []) {
      if (u.Key && u.UploadId && u.Initiated && u.Initiated.getTime() <= cutoff) {
        await client.send(new AbortMultipartUploadCommand({ Bucket, Key: u.Key, UploadId: u.UploadId }));
      }
    }
  } catch (e) {
    // Servers without multipart listing (e.g. s3rver) answer NotImplemented; a lifecycle rule covers them.
    if ((e as { name?: unknown }).name !== 'NotImplemented') throw e;
  }
}

/** Skips `skip` bytes, passes `length` bytes, then ends (dropping the rest). */
function slice(skip: number, length: number): Transform {
  let toSkip = skip;
  let left = length;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let c = chunk;
      if (toSkip > 0) {
        const n = Math.min(toSkip, c.length);
        toSkip -= n;
        c = c.subarray(n);
      }
      if (left > 0 && c.length > 0) {
        const out = c.subarray(0, left);
        left -= out.length;
        this.push(out);
      }
      cb();
    },
  });
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

function httpStatus(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const meta = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

function isNotFound(e: unknown): boolean {
  if (httpStatus(e) === 404) return true;
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  return name === 'NoSuchKey' || name === 'NotFound';
}
