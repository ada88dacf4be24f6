import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { FilesTables } from './tables.js';

interface Node {
  id: string;
  name: string;
  etag: string;
}
interface Link {
  id: string;
  token: string;
  role: string;
  hasPassword: boolean;
}

/** Link kinds of the matrix. */
const KINDS = ['view', 'edit', 'upload', 'password', 'expired', 'revoked', 'creatorDisabled'] as const;
type Kind = (typeof KINDS)[number];

describe('public links', () => {
  let ts: TestServer;
  let alice: TestClient;
  let folder: Node;
  let file: Node;
  let outside: Node;
  const links = {} as Record<Kind, Link>;

  const put = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(ts.url + path, { method: 'PUT', headers: { 'content-type': 'text/plain', ...headers }, body });
  const upload = async (c: TestClient, folderId: string, name: string, body: string) => {
    const res = await fetch(`${ts.url}/api/files/nodes/${folderId}/upload?name=${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'text/plain' },
      body,
    });
    return (await res.json()) as Node;
  };

  beforeAll(async () => {
    ts = await startTestServer();
    await createUser(ts, { username: 'alice' });
    const { user: mallory } = await createUser(ts, { username: 'mallory' });
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    const mal = await signIn(ts.url, 'mallory', 'mallory-password-1');
    const root = (await alice.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces[0]!.rootId;
    folder = (await alice.post<Node>(`/api/files/nodes/${root}/folders`, { name: 'Public' })).body;
    file = await upload(alice, folder.id, 'hello.txt', 'hello world');
    outside = await upload(alice, root, 'secret.txt', 'secret');

    const make = async (c: TestClient, nodeId: string, body: Record<string, unknown>) => {
      const res = await c.post<Link>(`/api/files/nodes/${nodeId}/links`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    links.view = await make(alice, folder.id, { role: 'view' });
    links.edit = await make(alice, folder.id, { role: 'edit' });
    links.upload = await make(alice, folder.id, { role: 'upload' });
    links.password = await make(alice, folder.id, { role: 'edit', password: 'correct horse', expiresAt: new Date(Date.now() + 86400_000).toISOString() });
    links.expired = await make(alice, folder.id, { role: 'view', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await ts.server.platform.db.withTables<FilesTables>().updateTable('files_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', links.expired.id).execute();
    links.revoked = await make(alice, folder.id, { role: 'view' });
    expect((await alice.del(`/api/files/nodes/${folder.id}/links/${links.revoked.id}`)).status).toBe(204);
    // A link lives only while its creator may share the item.
    const malRoot = (await mal.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces[0]!.rootId;
    const malFolder = (await mal.post<Node>(`/api/files/nodes/${malRoot}/folders`, { name: 'Drop' })).body;
    links.creatorDisabled = await make(mal, malFolder.id, { role: 'view' });
    await ts.identity.service.disableUser(mallory.id, TEST_ACTOR);
  });
  afterAll(async () => {
    await ts.close();
  });

  it('validates link input; tokens are stored hashed; only space people manage links', async () => {
    expect((await alice.post(`/api/files/nodes/${file.id}/links`, { role: 'upload' })).status).toBe(400);
    expect((await alice.post(`/api/files/nodes/${folder.id}/links`, { role: 'view', password: 'short' })).status).toBe(400);
    expect((await alice.post(`/api/files/nodes/${folder.id}/links`, { role: 'view', expiresAt: '2000-01-01T00:00:00Z' })).status).toBe(400);
    expect((await alice.post(`/api/files/nodes/${folder.id}/links`, { role: 'view', extra: true })).status).toBe(400);
    const rows = await ts.server.platform.db.withTables<FilesTables>().selectFrom('files_links').select(['token_hash', 'password_hash']).execute();
    for (const r of rows) {
      expect(Object.values(links).map((l) => l.token)).not.toContain(r.token_hash);
      if (r.password_hash) expect(r.password_hash).toMatch(/^\$argon2id\$/);
    }
    const listed = await alice.get<{ links: Record<string, unknown>[] }>(`/api/files/nodes/${folder.id}/links`);
    expect(listed.body.links.length).toBe(6);
    expect(listed.body.links.every((l) => !('token' in l) && !('passwordHash' in l))).toBe(true);
    const access = await alice.get<{ links: unknown[] }>(`/api/files/nodes/${folder.id}/access`);
    expect(access.body.links.length).toBe(5);

    await createUser(ts, { username: 'bob' });
    const bob = await signIn(ts.url, 'bob', 'bob-password-1');
    expect((await bob.post(`/api/files/nodes/${folder.id}/links`, { role: 'view' })).status).toBe(404);
    expect((await bob.del(`/api/files/nodes/${folder.id}/links/${links.view.id}`)).status).toBe(404);
    await alice.post(`/api/files/nodes/${folder.id}/shares`, { grantee: { type: 'user', login: 'bob' }, role: 'edit' });
    expect((await bob.post(`/api/files/nodes/${folder.id}/links`, { role: 'view' })).status).toBe(403);
    expect((await bob.get(`/api/files/nodes/${folder.id}/links`)).status).toBe(403);
    expect((await bob.del(`/api/files/nodes/${folder.id}/links/${links.view.id}`)).status).toBe(403);
  });

  it('matrix: public routes × link kinds', async () => {
    const base = (k: Kind) => `/api/public/links/${links[k].token}`;
    const routes: { name: string; expect: Record<Kind, number>; call: (k: Kind) => Promise<number> }[] = [
      { name: 'GET metadata', expect: { view: 200, edit: 200, upload: 200, password: 200, expired: 404, revoked: 404, creatorDisabled: 404 }, call: async (k) => (await fetch(ts.url + base(k))).status },
      {
        name: 'GET children',
        expect: { view: 200, edit: 200, upload: 403, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await fetch(`${ts.url}${base(k)}/nodes/${folder.id}/children`)).status,
      },
      {
        name: 'GET content',
        expect: { view: 200, edit: 200, upload: 403, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await fetch(`${ts.url}${base(k)}/nodes/${file.id}/content`)).status,
      },
      {
        name: 'GET content outside the link',
        expect: { view: 404, edit: 404, upload: 404, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await fetch(`${ts.url}${base(k)}/nodes/${outside.id}/content`)).status,
      },
      // Previews open exactly as downloads do: never on an upload-only link, only after the password.
      {
        name: 'GET preview',
        expect: { view: 200, edit: 200, upload: 403, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await fetch(`${ts.url}${base(k)}/nodes/${file.id}/preview`)).status,
      },
      {
        name: 'GET preview content',
        expect: { view: 200, edit: 200, upload: 403, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await fetch(`${ts.url}${base(k)}/nodes/${file.id}/preview/content`)).status,
      },
      {
        name: 'GET thumbnail',
        expect: { view: 415, edit: 415, upload: 403, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await fetch(`${ts.url}${base(k)}/nodes/${file.id}/thumbnail`)).status,
      },
      {
        name: 'GET preview outside the link',
        expect: { view: 404, edit: 404, upload: 404, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await fetch(`${ts.url}${base(k)}/nodes/${outside.id}/preview`)).status,
      },
      {
        name: 'PUT upload',
        expect: { view: 403, edit: 201, upload: 201, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 },
        call: async (k) => (await put(`${base(k)}/nodes/${folder.id}/upload?name=from-${k}.txt`, `by ${k}`)).status,
      },
      { name: 'POST unlock', expect: { view: 200, edit: 200, upload: 200, password: 401, expired: 404, revoked: 404, creatorDisabled: 404 }, call: async (k) => (await fetch(`${ts.url}${base(k)}/unlock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'wrong guess' }) })).status },
    ];
    const failures: string[] = [];
    for (const route of routes) {
      for (const k of KINDS) {
        const status = await route.call(k);
        if (status !== route.expect[k]) failures.push(`${route.name} via ${k} link: ${status}, expected ${route.expect[k]}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${ts.url}/api/public/links/not-a-real-token-at-all-xxxxxxxx`)).status).toBe(404);
  });

  it('upload-only links never reveal contents nor overwrite', async () => {
    const meta = (await (await fetch(`${ts.url}/api/public/links/${links.upload.token}`)).json()) as { role: string; item: { kind: string } };
    expect(meta).toMatchObject({ role: 'upload', item: { kind: 'folder' } });
    const first = await put(`/api/public/links/${links.upload.token}/nodes/${folder.id}/upload?name=hello.txt`, 'not an overwrite');
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ name: 'hello (2).txt', size: 16 });
    const content = await fetch(`${ts.url}/api/files/nodes/${file.id}/content`, { headers: { cookie: alice.cookie } });
    expect(await content.text()).toBe('hello world');
    // Into a subfolder it cannot know of: 404.
    const sub = (await alice.post<Node>(`/api/files/nodes/${folder.id}/folders`, { name: 'Sub' })).body;
    expect((await put(`/api/public/links/${links.upload.token}/nodes/${sub.id}/upload?name=x.txt`, 'x')).status).toBe(404);
  });

  it('a password unlocks for a while (cookie or header); wrong ones are limited with 429 and audited', async () => {
    const base = `${ts.url}/api/public/links/${links.password.token}`;
    const meta = (await (await fetch(base)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ passwordRequired: true, unlocked: false, item: null });
    const unlock = (password: string) => fetch(`${base}/unlock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
    const ok = await unlock('correct horse');
    expect(ok.status).toBe(200);
    const { access } = (await ok.json()) as { access: string };
    const cookie = ok.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(new RegExp(`^tessera_link=.+; Path=/api/public/links/${links.password.token}; Max-Age=3600; HttpOnly; SameSite=Lax`));
    expect((await fetch(`${base}/nodes/${folder.id}/children`, { headers: { 'x-link-access': access } })).status).toBe(200);
    expect((await fetch(`${base}/nodes/${file.id}/content`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
    // Previews need the same unlock: refused without it, served with the cookie or the header.
    expect((await fetch(`${base}/nodes/${file.id}/preview`)).status).toBe(401);
    expect((await fetch(`${base}/nodes/${file.id}/preview/content`)).status).toBe(401);
    const preview = await fetch(`${base}/nodes/${file.id}/preview`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(preview.status).toBe(200);
    expect(await preview.json()).toMatchObject({ kind: 'text', available: true, url: `/api/public/links/${links.password.token}/nodes/${file.id}/preview/content` });
    const shown = await fetch(`${base}/nodes/${file.id}/preview/content`, { headers: { 'x-link-access': access } });
    expect(shown.status).toBe(200);
    expect(await shown.text()).toBe('hello world');
    expect((await fetch(`${base}/nodes/${file.id}/preview/content`, { headers: { 'x-link-access': access.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) } })).status).toBe(401);
    expect((await fetch(base, { headers: { 'x-link-access': access } }).then((r) => r.json())) as Record<string, unknown>).toMatchObject({ unlocked: true });
    // An access token of another link, or a forged one, does not open this one.
    expect((await fetch(`${base}/nodes/${folder.id}/children`, { headers: { 'x-link-access': access.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) } })).status).toBe(401);

    // Five wrong guesses (counted afresh after the success) lock the password for this address.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await unlock(`wrong ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const locked = await unlock('correct horse');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const audit = await ts.server.platform.audit.query({ action: 'files.link.' });
    expect(audit.filter((e) => e.action === 'files.link.password_failed' && e.outcome === 'failure').length).toBeGreaterThanOrEqual(5);
    expect(audit.some((e) => e.action === 'files.link.create')).toBe(true);
    expect(audit.some((e) => e.action === 'files.link.revoke')).toBe(true);
  });

  it('edit links overwrite with If-Match; deleting the item ends its links', async () => {
    const base = `/api/public/links/${links.edit.token}/nodes/${folder.id}/upload?name=hello.txt`;
    expect((await put(base, 'stale', { 'if-match': '"nope"' })).status).toBe(412);
    const res = await put(base, 'edited', { 'if-match': file.etag });
    expect(res.status).toBe(200);
    expect(await (await fetch(`${ts.url}/api/public/links/${links.view.token}/nodes/${file.id}/content`)).text()).toBe('edited');
    expect((await alice.del(`/api/files/nodes/${folder.id}`)).status).toBe(204);
    expect((await fetch(`${ts.url}/api/public/links/${links.view.token}`)).status).toBe(404);
  });
});
