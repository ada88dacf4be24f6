import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, signIn, startTestServer, type TestClient, type TestServer } from '../../test-support/identity.js';
import type { FilesModule } from './module.js';
import type { FilesTables } from './tables.js';
import { restUpload } from './testing/fixtures.js';

async function upload(c: TestClient, base: string, folderId: string, name: string, body: string) {
  return (await (await restUpload(c, base, folderId, name, body, 'text/plain')).json()) as { id: string };
}

describe('version and trash policies follow their settings', () => {
  let ts: TestServer;
  let alice: TestClient;
  let rootId: string;
  let spaceId: string;

  beforeAll(async () => {
    ts = await startTestServer({ versionsKept: 3, trashRetentionDays: 2 });
    await createUser(ts, { username: 'alice' });
    alice = await signIn(ts.url, 'alice', 'alice-password-1');
    const space = (await alice.get<{ spaces: { id: string; kind: string; rootId: string }[] }>('/api/files/spaces')).body.spaces.find((s) => s.kind === 'personal')!;
    rootId = space.rootId;
    spaceId = space.id;
  });
  afterAll(() => ts?.close());

  it('keeps TESSERA_FILES_VERSIONS_KEPT versions, the newest', async () => {
    // Content i is i+1 bytes long, so a version's size tells which one it is.
    const first = await upload(alice, ts.url, rootId, 'notes.txt', 'x');
    for (let i = 1; i <= 5; i++) await upload(alice, ts.url, rootId, 'notes.txt', 'x'.repeat(i + 1));
    const versions = (await alice.get<{ versions: { id: string; size: number }[] }>(`/api/files/nodes/${first.id}/versions`)).body.versions;
    expect(versions).toHaveLength(3);
    // The newest three earlier contents (4, 3 and 2) are the ones left.
    expect(versions.map((v) => v.size).sort()).toEqual([3, 4, 5]);
  });

  it('empties the trash after TESSERA_FILES_TRASH_DAYS days', async () => {
    const older = await upload(alice, ts.url, rootId, 'three-days.txt', 'x');
    const younger = await upload(alice, ts.url, rootId, 'one-day.txt', 'y');
    await alice.del(`/api/files/nodes/${older.id}`);
    await alice.del(`/api/files/nodes/${younger.id}`);
    const db = ts.server.platform.db.withTables<FilesTables>();
    const daysAgo = (d: number) => new Date(Date.now() - d * 24 * 3600_000).toISOString();
    await db.updateTable('files_nodes').set({ trashed_at: daysAgo(3) }).where('id', '=', older.id).execute();
    await db.updateTable('files_nodes').set({ trashed_at: daysAgo(1) }).where('id', '=', younger.id).execute();
    const files = ts.server.modules.find((m) => m.id === 'files') as FilesModule;
    expect(await files.purgeExpiredTrash()).toBe(1);
    const trash = (await alice.get<{ items: { id: string }[] }>(`/api/files/spaces/${spaceId}/trash`)).body.items.map((t) => t.id);
    expect(trash).toEqual([younger.id]);
  });
});
