import { request } from 'node:http';
import { expect } from 'vitest';
import { createUser, TEST_ACTOR, type TestClient, type TestServer } from '../../../test-support/identity.js';
import type { NewUser, UserView } from '../../identity/types.js';

export interface DavUser {
  user: UserView;
  password: string;
  appPassword: string;
  /** http://127.0.0.1:port/dav/files/<username>/ */
  davUrl: string;
  /** Authorization header value for the app password. */
  auth: string;
}

/** A person with an app password, ready for WebDAV clients. */
export async function davUser(ts: TestServer, input: Partial<NewUser> & { username: string }): Promise<DavUser> {
  const { user, password } = await createUser(ts, input);
  const { password: appPassword } = await ts.identity.service.createAppPassword(user.id, 'test client', TEST_ACTOR);
  return {
    user,
    password,
    appPassword,
    davUrl: `${ts.url}/dav/files/${user.username}/`,
    auth: 'Basic ' + Buffer.from(`${user.username}:${appPassword}`).toString('base64'),
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent exactly as given (fetch would normalise "..", WebDAV tests must not). */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** PUT a file into a folder over REST as the signed-in client (the upload route of docs/api.md). */
export function restUpload(c: TestClient, base: string, folderId: string, name: string, body: string | Buffer, type = 'application/octet-stream'): Promise<Response> {
  return fetch(`${base}/api/files/nodes/${folderId}/upload?name=${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

/** The same, for uploads that must succeed: the new item as the API presents it. */
export async function uploadOk<T>(c: TestClient, base: string, folderId: string, name: string, body: string | Buffer, type = 'application/octet-stream'): Promise<T> {
  const res = await restUpload(c, base, folderId, name, body, type);
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as T;
}
