import type { Platform } from '../../platform/platform.js';
import type { Actor } from '../identity/types.js';
import { now } from '../../platform/db/database.js';

export interface InstanceSettings {
  instanceName: string;
  defaultLanguage: 'en' | 'fr' | 'de' | 'nl';
  passwordMinLength: number;
}

export type SettingsPatch = Partial<InstanceSettings>;

const KEYS = ['instanceName', 'defaultLanguage', 'passwordMinLength'] as const;

/**
 * Instance-wide settings an administrator changes at run time, kept in the platform `settings`
 * table as JSON values. Missing keys fall back to defaults derived from the configuration.
 */
export class SettingsService {
  constructor(private readonly platform: Platform) {}

  defaults(): InstanceSettings {
    return { instanceName: 'Tessera', defaultLanguage: this.platform.config.defaultLanguage, passwordMinLength: 10 };
  }

  async get(): Promise<InstanceSettings> {
    const rows = await this.platform.db.selectFrom('settings').select(['key', 'value']).where('key', 'in', KEYS.map((k) => `admin.${k}`)).execute();
    const stored: Record<string, unknown> = {};
    for (const r of rows) stored[r.key.slice('admin.'.length)] = JSON.parse(r.value) as unknown;
    return { ...this.defaults(), ...(stored as SettingsPatch) };
  }

  /** Writes the changed keys and their audit entry in one transaction: both or neither. */
  async update(patch: SettingsPatch, actor: Actor): Promise<InstanceSettings> {
    const before = await this.get();
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of KEYS) {
      const value = patch[key];
      if (value !== undefined && value !== before[key]) changes[key] = { from: before[key], to: value };
    }
    if (Object.keys(changes).length === 0) return before;
    await this.platform.database.transaction(async (tx) => {
      const at = now();
      for (const [key, change] of Object.entries(changes)) {
        const value = JSON.stringify(change.to);
        await tx
          .insertInto('settings')
          .values({ key: `admin.${key}`, value, updated_at: at })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
          .execute();
      }
      await this.platform.audit.append(
        { action: 'admin.settings.update', actor, ip: actor.ip ?? null, target: { type: 'settings', id: 'instance' }, details: { changes } },
        tx,
      );
    });
    return this.get();
  }
}
