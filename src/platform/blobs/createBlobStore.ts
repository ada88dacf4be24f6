import type { Config } from '../config/config.js';
import type { BlobStore } from './blobStore.js';
import { createFileBlobStore } from './fileBlobStore.js';

export async function createBlobStore(config: Config['blobs']): Promise<BlobStore> {
  if (config.kind === 'file') return createFileBlobStore(config.path);
  // Loaded lazily: the AWS SDK is large and the embedded default never needs it.
  const { createS3BlobStore } = await import('./s3BlobStore.js');
  return createS3BlobStore(config);
}
