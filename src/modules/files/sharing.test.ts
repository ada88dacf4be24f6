import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import { davUser, type DavUser } from './testing/fixtures.js';

interface Node {
  id: string;
  name: string;
  etag: string;
}

/** Roles of the matrix: who asks. */
const ROLES = ['owner', 'edit', 'view', 'group', 'none', 'disabled'] as const;
type Role = (typeof ROLES)[number];

function davRaw(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('sharing: policy, shares and the permission matrix', () => {
  let ts: TestServer;
  const people = {} as Record<Role, DavUser>;
  const rest = {} as Record<Role, TestClient>;
  let project: Node;
  let plan: Node;
  let rootId: string;

  const upload = async (c: TestClient, folderId: string, name: string, body: string) => {
    const res = await fetch(`${ts.url}/api/files/nodes/${folderId}/upload?name=${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'text/plain' },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Node };
  };

  beforeAll(async () => {
    ts = await startTestServer();
    const names: Record<Role, string> = { owner: 'alice', edit: 'eddie', view: 'vera', group: 'gina', none: 'nora', disabled: 'dave' };
    for (const role of ROLES) {
      people[role] = await davUser(ts, { username: names[role] });
      rest[role] = await signIn(ts.url, names[role], `${names[role]}-password-1`);
    }
    // gina is in "inner", which is a member of "outer": the share to "outer" reaches her.
    const inner = await ts.identity.service.createGroup({ name: 'inner', displayName: 'Inner' }, TEST_ACTOR);
    const outer = await ts.identity.service.createGroup({ name: 'outer', displayName: 'Outer' }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(inner.id, { type: 'user', id: people.group.user.id }, TEST_ACTOR);
    await ts.identity.service.addGroupMember(outer.id, { type: 'group', id: inner.id }, TEST_ACTOR);

    const alice = rest.owner;
    const spaces = await alice.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces');
    rootId = spaces.body.spaces.find((s) => s.kind === 'personal')!.rootId;
    project = (await alice.post<Node>(`/api/files/nodes/${rootId}/folders`, { name: 'Project' })).body;
    await alice.post<Node>(`/api/files/nodes/${project.id}/folders`, { name: 'Sub' });
    await upload(alice, project.id, 'plan.txt', 'plan v1');
    plan = (await upload(alice, project.id, 'plan.txt', 'plan v2')).body;
    await upload(alice, rootId, 'private.txt', 'not shared');

    const share = (grantee: Record<string, string>, role: string) => alice.post(`/api/files/nodes/${project.id}/shares`, { grantee, role });
    expect((await share({ type: 'user', login: 'eddie' }, 'edit')).status).toBe(201);
    expect((await share({ type: 'user', id: people.view.user.id }, 'view')).status).toBe(201);
    expect((await share({ type: 'group', name: 'outer' }, 'edit')).status).toBe(201);
    expect((await share({ type: 'user', login: 'dave' }, 'edit')).status).toBe(201);
    await ts.identity.service.disableUser(people.disabled.user.id, TEST_ACTOR);
  });
  afterAll(async () => {
    await ts.close();
  });

  it('validates share input and refuses duplicates', async () => {
    const alice = rest.owner;
    expect((await alice.post(`/api/files/nodes/${project.id}/shares`, { grantee: { type: 'user', login: 'eddie' }, role: 'edit' })).code).toBe('share_exists');
    expect((await alice.post(`/api/files/nodes/${project.id}/shares`, { grantee: { type: 'user', login: 'eddie' }, role: 'admin' })).status).toBe(400);
    expect((await alice.post(`/api/files/nodes/${project.id}/shares`, { grantee: { type: 'user', login: 'eddie', extra: 1 }, role: 'view' })).status).toBe(400);
    expect((await alice.post(`/api/files/nodes/${project.id}/shares`, { grantee: { type: 'user', login: 'nobody' }, role: 'view' })).status).toBe(404);
    expect((await alice.post(`/api/files/nodes/${project.id}/shares`, { grantee: { type: 'user', login: 'alice' }, role: 'view' })).status).toBe(400);
  });

  it('lists what is shared with me, with the strongest role', async () => {
    const mine = async (role: Role) => (await rest[role].get<{ items: { node: Node; role: string; sharedBy: { name: string } }[] }>('/api/files/shared-with-me')).body.items;
    expect((await mine('edit')).map((i) => [i.node.name, i.role, i.sharedBy.name])).toEqual([['Project', 'edit', 'alice']]);
    expect((await mine('view')).map((i) => [i.node.name, i.role])).toEqual([['Project', 'view']]);
    expect((await mine('group')).map((i) => [i.node.name, i.role])).toEqual([['Project', 'edit']]);
    expect(await mine('none')).toEqual([]);
    expect(await mine('owner')).toEqual([]);
  });

  it('shows who has access on every item, links only to the space people', async () => {
    const access = await rest.owner.get<{ yourRole: string; owner: { type: string; user: { name: string } }; shares: { grantee: { name: string }; role: string; inherited: boolean }[]; links: unknown[] }>(
      `/api/files/nodes/${plan.id}/access`,
    );
    expect(access.status).toBe(200);
    expect(access.body.yourRole).toBe('space');
    expect(access.body.owner).toMatchObject({ type: 'user', user: { name: 'alice' } });
    expect(access.body.shares.map((s) => [s.grantee.name, s.role, s.inherited]).sort()).toEqual([
      ['dave', 'edit', true],
      ['eddie', 'edit', true],
      ['outer', 'edit', true],
      ['vera', 'view', true],
    ]);
    const asVera = await rest.view.get<{ yourRole: string; links: unknown[] }>(`/api/files/nodes/${project.id}/access`);
    expect(asVera.body).toMatchObject({ yourRole: 'view', links: [] });
    expect((await rest.none.get(`/api/files/nodes/${project.id}/access`)).status).toBe(404);
  });

  it('REST matrix: every route × every role is allowed or refused with the right status', async () => {
    const alice = rest.owner;
    // What each kind of route answers per role; a write refused to a view share is 403, no access is 404.
    const read = { owner: 200, edit: 200, view: 200, group: 200, none: 404, disabled: 401 } as const;
    const write = (ok: number) => ({ owner: ok, edit: ok, view: 403, group: ok, none: 404, disabled: 401 }) as const;
    const manage = (ok: number) => ({ owner: ok, edit: 403, view: 403, group: 403, none: 404, disabled: 401 }) as const;
    const spaceOnly = (ok: number) => ({ owner: ok, edit: 404, view: 404, group: 404, none: 404, disabled: 401 }) as const;
    const fresh = async (name: string) => (await upload(alice, project.id, name, 'x')).body;

    const routes: { name: string; expect: Record<Role, number>; call: (c: TestClient, role: Role) => Promise<{ status: number }> }[] = [
      { name: 'GET node', expect: read, call: (c) => c.get(`/api/files/nodes/${plan.id}`) },
      { name: 'GET children', expect: read, call: (c) => c.get(`/api/files/nodes/${project.id}/children`) },
      { name: 'GET content', expect: read, call: (c) => c.get(`/api/files/nodes/${plan.id}/content`) },
      { name: 'GET versions', expect: read, call: (c) => c.get(`/api/files/nodes/${plan.id}/versions`) },
      { name: 'GET access', expect: read, call: (c) => c.get(`/api/files/nodes/${plan.id}/access`) },
      { name: 'GET shares', expect: read, call: (c) => c.get(`/api/files/nodes/${project.id}/shares`) },
      { name: 'GET unshared file', expect: spaceOnly(200), call: async (c) => c.get(`/api/files/nodes/${rootId}/children`) },
      { name: 'GET trash', expect: spaceOnly(200), call: async (c) => c.get(`/api/files/spaces/${(await alice.get<Node & { spaceId: string }>(`/api/files/nodes/${rootId}`)).body.spaceId}/trash`) },
      { name: 'POST folder', expect: write(201), call: (c, r) => c.post(`/api/files/nodes/${project.id}/folders`, { name: `folder-${r}` }) },
      { name: 'PUT upload', expect: write(201), call: (c, r) => upload(c, project.id, `up-${r}.txt`, 'hello') },
      { name: 'PUT overwrite', expect: write(200), call: async (c, r) => upload(c, project.id, (await fresh(`ow-${r}.txt`)).name, 'new') },
      { name: 'PATCH rename', expect: write(200), call: async (c, r) => c.patch(`/api/files/nodes/${(await fresh(`rn-${r}.txt`)).id}`, { name: `renamed-${r}.txt` }) },
      { name: 'POST copy', expect: write(201), call: (c, r) => c.post(`/api/files/nodes/${plan.id}/copy`, { parentId: project.id, name: `copy-${r}.txt` }) },
      { name: 'DELETE', expect: write(204), call: async (c, r) => c.del(`/api/files/nodes/${(await fresh(`del-${r}.txt`)).id}`) },
      {
        name: 'POST version restore',
        expect: write(200),
        call: async (c) => {
          const v = await alice.get<{ versions: { id: string }[] }>(`/api/files/nodes/${plan.id}/versions`);
          return c.post(`/api/files/nodes/${plan.id}/versions/${v.body.versions[0]!.id}/restore`);
        },
      },
      { name: 'POST share', expect: manage(201), call: (c, r) => c.post(`/api/files/nodes/${plan.id}/shares`, { grantee: { type: 'user', login: 'vera' }, role: r === 'owner' ? 'view' : 'edit' }) },
      { name: 'GET links', expect: manage(200), call: (c) => c.get(`/api/files/nodes/${project.id}/links`) },
      { name: 'POST link', expect: manage(201), call: (c) => c.post(`/api/files/nodes/${project.id}/links`, { role: 'view' }) },
      {
        name: 'DELETE link',
        expect: manage(204),
        call: async (c) => c.del(`/api/files/nodes/${project.id}/links/${(await alice.post<{ id: string }>(`/api/files/nodes/${project.id}/links`, { role: 'upload' })).body.id}`),
      },
      {
        name: 'PATCH share',
        expect: manage(200),
        call: async (c) => {
          const s = await alice.get<{ shares: { id: string; grantee: { name: string }; inherited: boolean }[] }>(`/api/files/nodes/${project.id}/shares`);
          return c.patch(`/api/files/nodes/${project.id}/shares/${s.body.shares.find((x) => x.grantee.name === 'vera')!.id}`, { role: 'view' });
        },
      },
    ];
    const failures: string[] = [];
    for (const route of routes) {
      for (const role of ROLES) {
        const { status } = await route.call(rest[role], role);
        if (status !== route.expect[role]) failures.push(`${route.name} as ${role}: ${status}, expected ${route.expect[role]}`);
      }
    }
    expect(failures).toEqual([]);

    // Deleting a share: refused to everyone but the space's people, then it is gone for the recipient.
    expect((await rest.none.get(`/api/files/nodes/${plan.id}`)).status).toBe(404);
    const noraShare = (await alice.post<{ id: string }>(`/api/files/nodes/${plan.id}/shares`, { grantee: { type: 'user', login: 'nora' }, role: 'view' })).body;
    expect((await rest.edit.del(`/api/files/nodes/${plan.id}/shares/${noraShare.id}`)).status).toBe(403);
    expect((await rest.none.get(`/api/files/nodes/${plan.id}`)).status).toBe(200);
    expect((await alice.del(`/api/files/nodes/${plan.id}/shares/${noraShare.id}`)).status).toBe(204);
    expect((await rest.none.get(`/api/files/nodes/${plan.id}`)).status).toBe(404);
    // A share holder cannot move an item out of the share into their own space (it would leave alice's).
    const eddieRoot = (await rest.edit.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!.rootId;
    expect((await rest.edit.patch(`/api/files/nodes/${plan.id}`, { parentId: eddieRoot })).status).toBe(403);
    expect((await alice.get(`/api/files/nodes/${plan.id}`)).status).toBe(200);
    // ...but may copy it there (view is enough on the source).
    expect((await rest.view.post(`/api/files/nodes/${plan.id}/copy`, { parentId: (await rest.view.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces[0]!.rootId })).status).toBe(201);
  });

  it('group members share from their group space; recipients see it with the group as owner', async () => {
    const gina = rest.group;
    const outer = (await gina.get<{ spaces: { kind: string; name: string; rootId: string }[] }>('/api/files/spaces')).body.spaces.find((s) => s.name === 'outer')!;
    const doc = (await upload(gina, outer.rootId, 'group-doc.txt', 'from the group')).body;
    expect((await rest.none.get(`/api/files/nodes/${doc.id}`)).status).toBe(404);
    expect((await gina.post(`/api/files/nodes/${doc.id}/shares`, { grantee: { type: 'user', login: 'nora' }, role: 'view' })).status).toBe(201);
    expect((await gina.post(`/api/files/nodes/${doc.id}/shares`, { grantee: { type: 'group', name: 'outer' }, role: 'view' })).status).toBe(400);
    const access = await rest.none.get<{ owner: { type: string; group: { name: string; memberCount: number } }; yourRole: string }>(`/api/files/nodes/${doc.id}/access`);
    expect(access.body).toMatchObject({ yourRole: 'view', owner: { type: 'group', group: { name: 'outer' } } });
    const items = (await rest.none.get<{ items: { node: Node }[] }>('/api/files/shared-with-me')).body.items;
    expect(items.map((i) => i.node.name)).toContain('group-doc.txt');
    expect((await upload(rest.none, outer.rootId, 'intruder.txt', 'x')).status).toBe(404);
  });

  it('audits every share change', async () => {
    const entries = await ts.server.platform.audit.query({ action: 'files.share.' });
    const actions = entries.map((e) => e.action);
    expect(actions.filter((a) => a === 'files.share.create').length).toBeGreaterThanOrEqual(5);
    expect(actions).toContain('files.share.update');
    expect(actions).toContain('files.share.delete');
  });

  it("WebDAV matrix: the owner's mount stays closed to recipients (they use /dav/shared/); they get 403, the disabled 401", async () => {
    const base = '/dav/files/alice/Project';
    const ok = { GET: 200, PUT: 201, DELETE: 204, MKCOL: 201, MOVE: 201, PROPFIND: 207 } as const;
    const failures: string[] = [];
    for (const role of ROLES) {
      const auth = { authorization: people[role].auth };
      const calls: [keyof typeof ok, () => Promise<number>][] = [
        ['GET', () => davRaw(ts.url, 'GET', `${base}/plan.txt`, auth)],
        ['PUT', () => davRaw(ts.url, 'PUT', `${base}/dav-${role}.txt`, auth, 'x')],
        ['DELETE', async () => {
          await davRaw(ts.url, 'PUT', `${base}/dav-del-${role}.txt`, { authorization: people.owner.auth }, 'x');
          return davRaw(ts.url, 'DELETE', `${base}/dav-del-${role}.txt`, auth);
        }],
        ['MKCOL', () => davRaw(ts.url, 'MKCOL', `${base}/dav-dir-${role}`, auth)],
        ['MOVE', async () => {
          await davRaw(ts.url, 'PUT', `${base}/dav-mv-${role}.txt`, { authorization: people.owner.auth }, 'x');
          return davRaw(ts.url, 'MOVE', `${base}/dav-mv-${role}.txt`, { ...auth, destination: `${base}/dav-moved-${role}.txt` });
        }],
        ['PROPFIND', () => davRaw(ts.url, 'PROPFIND', `${base}/`, { ...auth, depth: '1' })],
      ];
      for (const [method, call] of calls) {
        const expected = role === 'owner' ? ok[method] : role === 'disabled' ? 401 : 403;
        const status = await call();
        if (status !== expected) failures.push(`${method} as ${role}: ${status}, expected ${expected}`);
      }
    }
    expect(failures).toEqual([]);
    // Group spaces stay for members only, nested groups included.
    expect(await davRaw(ts.url, 'PUT', '/dav/spaces/outer/g.txt', { authorization: people.group.auth }, 'g')).toBe(201);
    expect(await davRaw(ts.url, 'GET', '/dav/spaces/outer/g.txt', { authorization: people.none.auth })).toBe(403);
  });

  it('WebDAV matrix: /dav/shared/<self>/ × every role, with exactly the share\'s rights', async () => {
    // Each person uses their own shared mount; alice (owner) and nora (none) have no "Project" there.
    const names: Record<Role, string> = { owner: 'alice', edit: 'eddie', view: 'vera', group: 'gina', none: 'nora', disabled: 'dave' };
    const base = (role: Role) => `/dav/shared/${names[role]}/Project`;
    const full = { GET: 200, PUT: 201, DELETE: 204, MKCOL: 201, MOVE: 201, COPY: 201, PROPFIND: 207, PROPPATCH: 207, LOCK: 201 } as const;
    type Method = keyof typeof full;
    const readOnly: Record<Method, number> = { GET: 200, PUT: 403, DELETE: 403, MKCOL: 403, MOVE: 403, COPY: 403, PROPFIND: 207, PROPPATCH: 403, LOCK: 403 };
    // Nothing shared under that name: reads 404, creating below a missing folder 409.
    const nothing: Record<Method, number> = { GET: 404, PUT: 409, DELETE: 404, MKCOL: 409, MOVE: 404, COPY: 404, PROPFIND: 404, PROPPATCH: 404, LOCK: 409 };
    const expected: Record<Role, Record<Method, number>> = { owner: nothing, edit: full, view: readOnly, group: full, none: nothing, disabled: { ...nothing, ...Object.fromEntries(Object.keys(full).map((m) => [m, 401])) } };
    const alicePut = (name: string) => davRaw(ts.url, 'PUT', `/dav/files/alice/Project/${name}`, { authorization: people.owner.auth }, 'x');
    const lockBody = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    const failures: string[] = [];
    for (const role of ROLES) {
      const auth = { authorization: people[role].auth };
      const b = base(role);
      const calls: [Method, () => Promise<number>][] = [
        ['GET', () => davRaw(ts.url, 'GET', `${b}/plan.txt`, auth)],
        ['PROPFIND', () => davRaw(ts.url, 'PROPFIND', `${b}/`, { ...auth, depth: '1' })],
        ['PUT', () => davRaw(ts.url, 'PUT', `${b}/shared-${role}.txt`, auth, 'x')],
        ['MKCOL', () => davRaw(ts.url, 'MKCOL', `${b}/shared-dir-${role}`, auth)],
        ['DELETE', async () => (await alicePut(`shared-del-${role}.txt`), davRaw(ts.url, 'DELETE', `${b}/shared-del-${role}.txt`, auth))],
        ['MOVE', async () => (await alicePut(`shared-mv-${role}.txt`), davRaw(ts.url, 'MOVE', `${b}/shared-mv-${role}.txt`, { ...auth, destination: `${b}/shared-moved-${role}.txt` }))],
        ['COPY', () => davRaw(ts.url, 'COPY', `${b}/plan.txt`, { ...auth, destination: `${b}/shared-copy-${role}.txt` })],
        [
          'PROPPATCH',
          () =>
            davRaw(ts.url, 'PROPPATCH', `${b}/plan.txt`, auth, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:seen>yes</Z:seen></D:prop></D:set></D:propertyupdate>'),
        ],
        ['LOCK', () => davRaw(ts.url, 'LOCK', `${b}/shared-lock-${role}.txt`, auth, lockBody)],
      ];
      for (const [method, call] of calls) {
        const status = await call();
        if (status !== expected[role][method]) failures.push(`${method} as ${role}: ${status}, expected ${expected[role][method]}`);
      }
      // Another person's shared mount is refused, whatever is shared with them.
      const other = role === 'edit' ? 'vera' : 'eddie';
      const status = await davRaw(ts.url, 'GET', `/dav/shared/${other}/Project/plan.txt`, auth);
      if (status !== (role === 'disabled' ? 401 : 403)) failures.push(`GET another's mount as ${role}: ${status}`);
    }
    expect(failures).toEqual([]);
    // What the edit roles wrote is in alice's space; nothing the others tried is.
    for (const role of ['edit', 'group'] as const) expect(await davRaw(ts.url, 'GET', `/dav/files/alice/Project/shared-${role}.txt`, { authorization: people.owner.auth })).toBe(200);
    for (const role of ['view', 'none', 'owner'] as const) expect(await davRaw(ts.url, 'GET', `/dav/files/alice/Project/shared-${role}.txt`, { authorization: people.owner.auth })).toBe(404);
  });
});
