import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../platform/platform.js';
import { migrate } from '../../platform/db/migrations.js';
import { platformMigrations } from '../../platform/db/platformMigrations.js';
import { testConfig } from '../../test-support/stack.js';
import { SettingsService } from './settings.js';
import { collectStatus, detectTools } from './status.js';

describe('admin settings and status services', () => {
  let platform: Platform;
  let settings: SettingsService;
  beforeAll(async () => {
    platform = await createPlatform(await testConfig({ defaultLanguage: 'fr' }));
    await migrate(platform.database, [platformMigrations]);
    settings = new SettingsService(platform);
  });
  afterAll(() => platform.close());

  it('starts from defaults derived from the configuration', async () => {
    expect(await settings.get()).toEqual({ instanceName: 'Tessera', defaultLanguage: 'fr', passwordMinLength: 10 });
  });

  it('stores changes and audits them in the same transaction, skipping no-op writes', async () => {
    const actor = { id: 'u1', name: 'alice', ip: '127.0.0.1' };
    const updated = await settings.update({ instanceName: 'Ministry of Tests', passwordMinLength: 14 }, actor);
    expect(updated).toEqual({ instanceName: 'Ministry of Tests', defaultLanguage: 'fr', passwordMinLength: 14 });
    expect(await new SettingsService(platform).get()).toEqual(updated);
    const [entry] = await platform.audit.query({ action: 'admin.settings.update' });
    expect(entry).toMatchObject({ actorName: 'alice', ip: '127.0.0.1', details: { changes: { instanceName: { from: 'Tessera', to: 'Ministry of Tests' }, passwordMinLength: { from: 10, to: 14 } } } });

    await settings.update({ instanceName: 'Ministry of Tests' }, actor);
    expect(await platform.audit.query({ action: 'admin.settings.update' })).toHaveLength(1);
    await settings.update({ instanceName: 'Renamed' }, actor);
    expect((await settings.get()).instanceName).toBe('Renamed');
    expect((await platform.audit.verify()).ok).toBe(true);
  });

  it('reports backends, jobs, disk and modules', async () => {
    const status = await collectStatus(platform, [{ id: 'identity' }, { id: 'admin' }]);
    expect(status.database).toEqual({ kind: platform.database.dialect, ok: true });
    expect(status.blobs.ok).toBe(true);
    expect(status.bus.ok).toBe(true);
    expect(status.jobs).toEqual({ queued: 0, running: 0, done: 0, failed: 0 });
    expect(status.modules).toEqual(['identity', 'admin']);
    expect(status.disk).toMatchObject({ path: platform.config.dataDir });
    if ('freeBytes' in status.disk) expect(status.disk.totalBytes).toBeGreaterThan(status.disk.freeBytes);
    else throw new Error(status.disk.error);
  });

  it('detects optional tools on the PATH', async () => {
    expect(await detectTools('/nonexistent')).toEqual({ libreoffice: false, clamav: false, janus: false });
  });
});
