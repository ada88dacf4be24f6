import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, TEST_ACTOR, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { FilesTables } from './tables.js';

interface Node {
  id: string;
  name: string;
  kind: string;
}

/**
 * A big folder listed page by page: every page joins the next without a gap or a duplicate,
 * folders first then by name, and the default order is read from the listing index instead of
 * sorting the folder for each page.
 */
describe('listing a big folder', () => {
  let ts: TestServer;
  let alice: TestClient;
  let folderId: string;
  let aliceId: string;
  const folders = Array.from({ length: 60 }, (_, i) => `dir-${String(i).padStart(3, '0')}`);
  const files = Array.from({ length: 540 }, (_, i) => `file-${String(i).padStart(3, '0')}.txt`);

  beforeAll(async () => {
    ts = await startTestServer();
    aliceId = (await createUser(ts, { username: 'alice' })).user.id;
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    const space = (await alice.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!;
    folderId = (await alice.post<Node>(`/api/files/nodes/${space.rootId}/folders`, { name: 'Big' })).body.id;
    // Created in reverse, interleaved, so insertion order is not the listing order.
    const names = [...files, ...folders].reverse();
    const headers = { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'text/plain' };
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        const res = name.startsWith('dir-')
          ? await alice.post(`/api/files/nodes/${folderId}/folders`, { name })
          : await fetch(`${ts.url}/api/files/nodes/${folderId}/upload?name=${name}`, { method: 'PUT', headers, body: name });
        expect(res.status).toBe(201);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  }, 120_000);
  afterAll(async () => {
    await ts.close();
  });

  it('pages through folders first, then files by name, with nothing missing or repeated', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 600; offset += 250) {
      const page = await alice.get<{ items: Node[]; total: number }>(`/api/files/nodes/${folderId}/children?limit=250&offset=${offset}`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(600);
      seen.push(...page.body.items.map((n) => n.name));
    }
    expect(seen).toEqual([...folders, ...files]);
    const desc = await alice.get<{ items: Node[] }>(`/api/files/nodes/${folderId}/children?limit=3&offset=58&order=desc`);
    expect(desc.body.items.map((n) => n.name)).toEqual(['dir-001', 'dir-000', 'file-539.txt']);
  });

  it('reads the default order from the listing index (SQLite plan; PostgreSQL has the index too)', async () => {
    const platform = ts.server.platform;
    const db = platform.db.withTables<FilesTables>();
    if (platform.database.dialect === 'sqlite') {
      const plan = await sql<{ detail: string }>`explain query plan select * from files_nodes where parent_id = ${folderId} and trash_id is null
        order by case when kind = 'folder' then 0 else 1 end, name asc, id limit 500 offset 100`.execute(db);
      const details = plan.rows.map((r) => r.detail).join('\n');
      expect(details).toContain('files_nodes_listing');
      expect(details).not.toContain('TEMP B-TREE');
    } else {
      const found = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'files_nodes' and indexname = 'files_nodes_listing'`.execute(db);
      expect(found.rows).toHaveLength(1);
    }
  });

  it('answers a WebDAV PROPFIND Depth 1 page by page: every entry once, in name order', async () => {
    const { password } = await ts.identity.service.createAppPassword(aliceId, 'listing test', TEST_ACTOR);
    const res = await fetch(`${ts.url}/dav/files/alice/Big/`, {
      method: 'PROPFIND',
      headers: { authorization: 'Basic ' + Buffer.from(`alice:${password}`).toString('base64'), depth: '1' },
    });
    expect(res.status).toBe(207);
    const xml = await res.text();
    const hrefs = [...xml.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(m[1]!));
    // The folder itself, then its 600 children across two pages of 500, by name (folders' hrefs end in /).
    expect(hrefs[0]).toBe('/dav/files/alice/Big/');
    expect(hrefs.slice(1)).toEqual([...files, ...folders].sort().map((n) => `/dav/files/alice/Big/${n}${n.startsWith('dir-') ? '/' : ''}`));
    expect(xml.endsWith('</D:multistatus>')).toBe(true);
  });
});
