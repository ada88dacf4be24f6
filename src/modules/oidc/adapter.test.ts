import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../platform/db/database.js';
import { migrate } from '../../platform/db/migrations.js';
import { platformMigrations } from '../../platform/db/platformMigrations.js';
import { testConfig } from '../../test-support/stack.js';
import { createAdapterFactory } from './adapter.js';
import { loadSigningKeys } from './keys.js';
import { oidcMigrations } from './migrations.js';
import { SecretBox } from './secretBox.js';
import { OidcStore, type OidcTables } from './store.js';

describe('OIDC database adapter', () => {
  let a: Database;
  let b: Database;
  const noClients = async () => undefined;

  beforeAll(async () => {
    const config = await testConfig();
    a = await openDatabase(config.database);
    await migrate(a, [platformMigrations, oidcMigrations]);
    // A second handle on the same database plays a second Tessera process.
    b = await openDatabase(config.database);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('stores, finds, consumes and destroys provider models, shared between processes', async () => {
    const one = createAdapterFactory(new OidcStore(a), noClients)('AuthorizationCode');
    const two = createAdapterFactory(new OidcStore(b), noClients)('AuthorizationCode');
    await one.upsert('code-1', { accountId: 'u1', clientId: 'c1', grantId: 'g1', scope: 'openid' }, 60);
    expect(await two.find('code-1')).toMatchObject({ accountId: 'u1', clientId: 'c1', scope: 'openid' });
    expect((await two.find('code-1'))?.consumed).toBeUndefined();
    await two.consume('code-1');
    const consumed = await one.find('code-1');
    expect(typeof consumed?.consumed).toBe('number');
    expect(Math.abs(Number(consumed?.consumed) - Date.now() / 1000)).toBeLessThan(5);
    // A later save of the same code (the provider does this) keeps the consumption mark.
    await one.upsert('code-1', { accountId: 'u1', clientId: 'c1', grantId: 'g1', scope: 'openid email' }, 60);
    expect(await two.find('code-1')).toMatchObject({ scope: 'openid email', consumed: consumed?.consumed });
    await two.destroy('code-1');
    expect(await one.find('code-1')).toBeUndefined();
  });

  it('keeps models of different kinds apart and finds sessions by uid', async () => {
    const factory = createAdapterFactory(new OidcStore(a), noClients);
    await factory('Session').upsert('same-id', { uid: 'uid-1', accountId: 'u1' }, 60);
    await factory('Interaction').upsert('same-id', { returnTo: 'x' }, 60);
    expect(await factory('Session').findByUid('uid-1')).toMatchObject({ accountId: 'u1' });
    expect(await factory('Interaction').findByUid('uid-1')).toBeUndefined();
    expect(await factory('Interaction').find('same-id')).toMatchObject({ returnTo: 'x' });
    expect(await factory('AccessToken').find('same-id')).toBeUndefined();
  });

  it('hides expired models and sweeps them', async () => {
    const store = new OidcStore(a);
    const adapter = createAdapterFactory(store, noClients)('AccessToken');
    await adapter.upsert('short', { accountId: 'u1' }, 1);
    await adapter.upsert('long', { accountId: 'u1' }, 3600);
    expect(await adapter.find('short')).toBeDefined();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await adapter.find('short')).toBeUndefined();
    expect(await store.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await adapter.find('long')).toBeDefined();
  });

  it('revokes every token of a grant at once', async () => {
    const factory = createAdapterFactory(new OidcStore(a), noClients);
    await factory('AccessToken').upsert('at-1', { grantId: 'grant-x', accountId: 'u1' }, 60);
    await factory('RefreshToken').upsert('rt-1', { grantId: 'grant-x', accountId: 'u1' }, 60);
    await factory('AccessToken').upsert('at-2', { grantId: 'grant-y', accountId: 'u1' }, 60);
    await factory('Interaction').upsert('int-1', { grantId: 'grant-x', returnTo: 'x' }, 60);
    await factory('AccessToken').revokeByGrantId('grant-x');
    expect(await factory('Interaction').find('int-1')).toBeDefined();
    expect(await factory('AccessToken').find('at-1')).toBeUndefined();
    expect(await factory('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await factory('AccessToken').find('at-2')).toBeDefined();
  });

  it('keeps only hashes of codes and tokens, so a copy of the database yields none that works', async () => {
    const factory = createAdapterFactory(new OidcStore(a), noClients);
    const secrets = { AuthorizationCode: 'code-secret-abc', AccessToken: 'access-secret-abc', RefreshToken: 'refresh-secret-abc' } as const;
    for (const [kind, value] of Object.entries(secrets)) {
      await factory(kind).upsert(value, { jti: value, kind, grantId: 'grant-h', accountId: 'u1' }, 60);
      expect(await factory(kind).find(value)).toMatchObject({ jti: value, accountId: 'u1' });
    }
    const rows = await a.db.withTables<OidcTables>().selectFrom('oidc_payloads').selectAll().where('grant_id', '=', 'grant-h').execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      for (const value of Object.values(secrets)) expect(JSON.stringify(row)).not.toContain(value);
      // The stored id presented as a token is no token.
      expect(await factory(row.kind).find(row.id)).toBeUndefined();
    }
    await factory('RefreshToken').consume(secrets.RefreshToken);
    expect(typeof (await factory('RefreshToken').find(secrets.RefreshToken))?.consumed).toBe('number');
    await factory('AccessToken').destroy(secrets.AccessToken);
    expect(await factory('AccessToken').find(secrets.AccessToken)).toBeUndefined();
    // A token stored in plain before ids were hashed still works until it expires.
    await new OidcStore(a).upsertPayload({ kind: 'RefreshToken', id: 'legacy-rt', payload: JSON.stringify({ jti: 'legacy-rt', accountId: 'u1' }), grant_id: null, user_code: null, uid: null, client_id: null, expires_at: null });
    expect(await factory('RefreshToken').find('legacy-rt')).toMatchObject({ jti: 'legacy-rt' });
    await factory('RefreshToken').destroy('legacy-rt');
    expect(await factory('RefreshToken').find('legacy-rt')).toBeUndefined();
  });

  it('reads clients from the lookup and never writes them', async () => {
    const factory = createAdapterFactory(new OidcStore(a), async (id) => (id === 'known' ? { client_id: 'known' } : undefined));
    expect(await factory('Client').find('known')).toEqual({ client_id: 'known' });
    expect(await factory('Client').find('other')).toBeUndefined();
    await expect(factory('Client').upsert('x', {}, 1)).rejects.toThrow(/admin API/);
  });

  it('generates one signing key, sealed, that every process loads', async () => {
    const box = new SecretBox('a'.repeat(40));
    const [k1, k2] = await Promise.all([loadSigningKeys(new OidcStore(a), box), loadSigningKeys(new OidcStore(b), box)]);
    expect(k1).toEqual(k2);
    expect(k1[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(k1[0]!.d).toBeTruthy();
    const stored = await new OidcStore(a).getSigningKeys();
    expect(stored).not.toContain(String(k1[0]!.d));
    await expect(loadSigningKeys(new OidcStore(a), new SecretBox('b'.repeat(40)))).rejects.toThrow();
  });
});

describe('SecretBox', () => {
  it('round-trips, uses a fresh IV each time and rejects tampering', () => {
    const box = new SecretBox('s'.repeat(40));
    const one = box.seal('client-secret');
    expect(box.open(one)).toBe('client-secret');
    expect(box.seal('client-secret')).not.toBe(one);
    const raw = Buffer.from(one.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1.${raw.toString('base64url')}`)).toThrow();
    expect(() => new SecretBox('t'.repeat(40)).open(one)).toThrow();
  });
});
