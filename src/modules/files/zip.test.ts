import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, type TestClient, type TestServer } from '../../test-support/identity.js';
import { tempDir } from '../../test-support/stack.js';

interface Node {
  id: string;
  name: string;
}

describe('folders as zip', () => {
  let ts: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  let root: string;
  let folder: Node;
  const big = randomBytes(3 * 1024 * 1024);

  const put = async (folderId: string, name: string, body: Buffer | string, type = 'application/octet-stream') => {
    const res = await fetch(`${ts.url}/api/files/nodes/${folderId}/upload?name=${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': type },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Node;
  };
  const mkdir = async (parentId: string, name: string) => (await alice.post<Node>(`/api/files/nodes/${parentId}/folders`, { name })).body;
  const zipOf = (c: TestClient | null, path: string) => fetch(`${ts.url}${path}`, { headers: c ? { cookie: c.cookie } : {} });

  beforeAll(async () => {
    ts = await startTestServer();
    for (const u of ['alice', 'bob', 'carol']) await createUser(ts, { username: u });
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    bob = await signIn(ts.url, 'bob', 'bob-password-1');
    carol = await signIn(ts.url, 'carol', 'carol-password-1');
    root = (await alice.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!.rootId;
    folder = await mkdir(root, 'Rapport été');
    await put(folder.id, 'notes.txt', 'hello zip', 'text/plain');
    await put(folder.id, 'photo.jpg', big, 'image/jpeg');
    await put(folder.id, 'empty.txt', '');
    const sub = await mkdir(folder.id, 'Sous-dossier ✓');
    await put(sub.id, 'données.csv', 'a,b\n1,2\n', 'text/csv');
    await mkdir(folder.id, 'Vide');
    const gone = await put(folder.id, 'deleted.txt', 'trashed');
    expect((await alice.del(`/api/files/nodes/${gone.id}`)).status).toBe(204);
  });
  afterAll(async () => {
    await ts.close();
  });

  it('streams the folder as a zip: same bytes, UTF-8 names, empty folders, nothing from the trash', async () => {
    const res = await zipOf(alice, `/api/files/nodes/${folder.id}/zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Rapport _t_.zip"; filename*=UTF-8''${encodeURIComponent('Rapport été.zip')}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const entries = unzipSync(new Uint8Array(bytes));
    expect(Object.keys(entries).sort()).toEqual(['Sous-dossier ✓/', 'Sous-dossier ✓/données.csv', 'Vide/', 'empty.txt', 'notes.txt', 'photo.jpg']);
    expect(Buffer.from(entries['notes.txt']!).toString()).toBe('hello zip');
    expect(Buffer.from(entries['photo.jpg']!).equals(big)).toBe(true);
    expect(Buffer.from(entries['Sous-dossier ✓/données.csv']!).toString()).toBe('a,b\n1,2\n');
    expect(entries['empty.txt']!.length).toBe(0);

    // Debian's unzip agrees: every CRC checks out and the names arrive as UTF-8.
    const file = join(tempDir(), 'folder.zip');
    writeFileSync(file, bytes);
    const { stdout } = await promisify(execFile)('unzip', ['-t', file]);
    expect(stdout).toContain('No errors detected');
    expect(stdout).toContain('Sous-dossier ✓/données.csv');
  });

  it('zips a whole space root under the space name, and refuses files', async () => {
    const res = await zipOf(alice, `/api/files/nodes/${root}/zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''alice.zip");
    expect(Object.keys(unzipSync(new Uint8Array(await res.arrayBuffer())))).toContain('Rapport été/notes.txt');
    const notes = (await alice.get<{ items: Node[] }>(`/api/files/nodes/${folder.id}/children`)).body.items.find((n) => n.name === 'notes.txt')!;
    const file = await zipOf(alice, `/api/files/nodes/${notes.id}/zip`);
    expect(file.status).toBe(409);
  });

  it('follows the download permission: shares, strangers, public links', async () => {
    expect((await zipOf(bob, `/api/files/nodes/${folder.id}/zip`)).status).toBe(404);
    expect((await zipOf(null, `/api/files/nodes/${folder.id}/zip`)).status).toBe(401);
    expect((await alice.post(`/api/files/nodes/${folder.id}/shares`, { grantee: { type: 'user', login: 'carol' }, role: 'view' })).status).toBe(201);
    const shared = await zipOf(carol, `/api/files/nodes/${folder.id}/zip`);
    expect(shared.status).toBe(200);
    expect(Object.keys(unzipSync(new Uint8Array(await shared.arrayBuffer())))).toContain('notes.txt');

    const view = await alice.post<{ token: string }>(`/api/files/nodes/${folder.id}/links`, { role: 'view' });
    const viaLink = await zipOf(null, `/api/public/links/${view.body.token}/nodes/${folder.id}/zip`);
    expect(viaLink.status).toBe(200);
    expect(Buffer.from(unzipSync(new Uint8Array(await viaLink.arrayBuffer()))['photo.jpg']!).equals(big)).toBe(true);
    // A folder outside the link is not in it.
    expect((await zipOf(null, `/api/public/links/${view.body.token}/nodes/${root}/zip`)).status).toBe(404);
    const drop = await alice.post<{ token: string }>(`/api/files/nodes/${folder.id}/links`, { role: 'upload' });
    expect((await zipOf(null, `/api/public/links/${drop.body.token}/nodes/${folder.id}/zip`)).status).toBe(403);
  });
});
