/** Thin client for the Tessera REST API: JSON in and out, CSRF header on every state change. */

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? {};
  }
  /** Seconds until a rate-limited or locked request may be retried, when the server said. */
  get retryAfterSeconds(): number | null {
    const v = this.details.retryAfterSeconds;
    return typeof v === 'number' ? v : null;
  }
}

let csrfToken: string | null = null;

/** Fired when a signed-in call comes back 401: the session ended elsewhere (expired, revoked). */
export const UNAUTHORIZED_EVENT = 'tessera:unauthorized';
const SESSION_PROBES = ['/api/session', '/api/auth/login', '/api/setup'];

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  /** Raw body (e.g. an image) sent as-is with this content type. */
  raw?: { data: Blob; contentType: string };
  signal?: AbortSignal;
}

export async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.raw) {
    headers['content-type'] = opts.raw.contentType;
    body = opts.raw.data;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { code: 'network', message: 'The server could not be reached.' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: ApiErrorBody } | undefined)?.error;
    // Only "no session" counts; a wrong code or password is also a 401 but the session is fine.
    if (res.status === 401 && err?.code === 'unauthenticated' && csrfToken && !SESSION_PROBES.includes(path.split('?')[0]!)) {
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    }
    const apiErr = new ApiError(res.status, err ?? { code: `http_${res.status}`, message: res.statusText || 'Request failed' });
    if (res.status === 429 && apiErr.retryAfterSeconds === null) {
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra > 0) apiErr.details.retryAfterSeconds = ra;
    }
    throw apiErr;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, raw: { data: Blob; contentType: string }) => request<T>('PUT', path, { raw }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T>(path: string, body?: unknown) => request<T>('DELETE', path, { body }),
};

/**
 * PUT a file with upload progress (fetch has no upload progress events, XMLHttpRequest does).
 */
export function uploadWithProgress<T>(path: string, file: Blob, contentType: string, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, { code: 'network', message: 'The server could not be reached.' }));
    xhr.onload = () => {
      let data: unknown;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data as T);
      } else {
        const err = (data as { error?: ApiErrorBody } | undefined)?.error;
        reject(new ApiError(xhr.status, err ?? { code: `http_${xhr.status}`, message: xhr.statusText || 'Upload failed' }));
      }
    };
    xhr.send(file);
  });
}
