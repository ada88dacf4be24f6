import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3 refuses a single CopyObject above 5 GiB. */
export const SINGLE_COPY_LIMIT = 5 * 1024 * 1024 * 1024;
const COPY_PART = 512 * 1024 * 1024;

/**
 * Server-side multipart copy for objects too big for CopyObject. Like any multipart upload the
 * target appears only when Complete succeeds, so atomicity holds here too.
 */
export async function copyLargeObject(
  client: S3Client,
  o: { Bucket: string; source: string; target: string; size: number; metadata: Record<string, string>; contentType?: string },
): Promise<void> {
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: o.Bucket, Key: o.target, Metadata: o.metadata, ContentType: o.contentType }),
  );
  if (!UploadId) throw new Error('S3 did not return an upload id for a multipart copy');
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let start = 0, PartNumber = 1; start < o.size; start += COPY_PART, PartNumber++) {
      const end = Math.min(start + COPY_PART, o.size) - 1;
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: o.Bucket,
          Key: o.target,
          UploadId,
          PartNumber,
          CopySource: `${o.Bucket}/${encodeURI(o.source)}`,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      const ETag = out.CopyPartResult?.ETag;
      if (!ETag) throw new Error(`S3 returned no ETag for copied part ${PartNumber}`);
      parts.push({ ETag, PartNumber });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: o.Bucket, Key: o.target, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (e) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: o.Bucket, Key: o.target, UploadId })).catch(() => {});
    throw e;
  }
}
