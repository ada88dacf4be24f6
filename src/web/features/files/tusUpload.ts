import { DetailedError, Upload, type UploadOptions } from 'tus-js-client';
import { ApiError, UNAUTHORIZED_EVENT, type ApiErrorBody } from '../../app/api.js';

/** Files from this size on go through tus (resumable); smaller ones in one PUT (one request). */
export const RESUMABLE_FROM_BYTES = 4 * 1024 * 1024;
const ENDPOINT = '/api/files/uploads';
// Bounded requests pass reverse proxies with a body limit, and a retry resends at most one chunk.
const CHUNK_BYTES = 32 * 1024 * 1024;

export interface ResumableHandle {
  promise: Promise<{ name: string }>;
  /** Stops sending; `forget` also deletes what the server stored (a cancel), else it can resume later. */
  abort(forget: boolean): void;
}

/** The server's `{ error }` from a failed tus request, as the app's ApiError. */
function toApiError(err: Error | DetailedError): ApiError {
  const res = err instanceof DetailedError ? err.originalResponse : null;
  if (!res) return new ApiError(0, { code: 'network', message: 'The server could not be reached.' });
  let body: ApiErrorBody | undefined;
  try {
    body = (JSON.parse(res.getBody()) as { error?: ApiErrorBody }).error;
  } catch {
    body = undefined;
  }
  const status = res.getStatus();
  if (status === 401 && body?.code === 'unauthenticated') window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  return new ApiError(status, body ?? { code: `http_${status}`, message: 'Upload failed' });
}

/**
 * Sends one file with tus: automatic retries with back-off, and resumable across a page reload (the
 * upload URL is kept in localStorage under a fingerprint of the file and its destination, so picking
 * the same file for the same folder again goes on where it stopped).
 */
export function uploadResumable(opts: { folderId: string; name: string; file: File; csrfToken: string; createOnly: boolean; onProgress: (loaded: number) => void }): ResumableHandle {
  let upload: Upload | null = null;
  let stopped = false;
  let fail: (e: ApiError) => void = () => {};
  const promise = new Promise<{ name: string }>((resolve, reject) => {
    fail = reject;
    const options: UploadOptions = {
      endpoint: ENDPOINT,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10_000, 20_000, 30_000],
      headers: { 'x-csrf-token': opts.csrfToken },
      metadata: {
        name: opts.name,
        parentId: opts.folderId,
        contentType: opts.file.type || 'application/octet-stream',
        onConflict: opts.createOnly ? 'fail' : 'overwrite',
      },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      fingerprint: async (file) => {
        const f = file as File;
        return ['tessera-tus', f.name, f.type, f.size, f.lastModified, opts.folderId, opts.name, opts.createOnly ? 'fail' : 'overwrite'].join('/');
      },
      onProgress: (sent) => opts.onProgress(sent),
      onSuccess: () => resolve({ name: opts.name }),
      onError: (err) => reject(toApiError(err)),
    };
    upload = new Upload(opts.file, options);
    const current = upload;
    current
      .findPreviousUploads()
      .then((previous) => {
        if (stopped) return;
        const last = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
        if (last) current.resumeFromPreviousUpload(last);
        current.start();
      })
      .catch((e: unknown) => reject(e instanceof Error ? toApiError(e) : new ApiError(0, { code: 'network', message: String(e) })));
  });
  return {
    promise,
    abort(forget) {
      stopped = true;
      void upload?.abort(forget).catch(() => {});
      // tus's abort() settles nothing by itself; the job ends as cancelled, as with a plain PUT.
      fail(new ApiError(0, { code: 'aborted', message: 'Upload cancelled.' }));
    },
  };
}
