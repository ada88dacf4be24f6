import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, describeConfig, loadConfig } from '../../src/platform/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
const base = { TESSERA_DATA_DIR: dir };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

function writeJson(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('configuration', () => {
  const bad: [string, string][] = [
    ['TESSERA_PORT', 'eighty'],
    ['TESSERA_PORT', '70000'],
    ['TESSERA_PUBLIC_URL', 'not a url'],
    ['TESSERA_DATABASE_URL', 'mysql://db/tessera'],
    ['TESSERA_DATABASE_URL', 'sqlite:'],
    ['TESSERA_DATABASE_URL', 'postgres://db:port/tessera'],
    ['TESSERA_DATABASE_URL', 'postgres://'],
    ['TESSERA_DATABASE_URL', 'postgres:///tessera'],
    ['TESSERA_BLOBS', 'ftp://files'],
    ['TESSERA_BLOBS', 'file:'],
    ['TESSERA_REDIS_URL', 'http://127.0.0.1:6379'],
    ['TESSERA_SECRET', 'too-short'],
    ['TESSERA_LOG_LEVEL', 'loud'],
    ['TESSERA_TRUST_PROXY', 'maybe'],
    ['TESSERA_BODY_LIMIT', '10'],
    ['TESSERA_BODY_LIMIT', '1.5'],
    ['TESSERA_RATE_LIMIT_PER_MINUTE', '0'],
    ['TESSERA_SESSION_TTL_HOURS', '-1'],
    ['TESSERA_DEFAULT_LANGUAGE', 'es'],
    ['TESSERA_RUN_JOBS', 'sometimes'],
    ['TESSERA_WOPI_PROOF', 'sometimes'],
    // require without a discovery: no proof key could ever be known.
    ['TESSERA_WOPI_PROOF', 'require'],
  ];
  it.each(bad)('refuses %s=%s with a message naming the setting', (name, value) => {
    const e = configError({ [name]: value });
    expect(e.setting).toBe(name);
    expect(e.message).toMatch(new RegExp(`^Invalid configuration: ${name}: `));
  });

  it('accepts the defaults and documents every setting', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(8080);
    expect(c.database).toEqual({ kind: 'sqlite', path: join(dir, 'tessera.db') });
    expect(c.blobs).toEqual({ kind: 'file', path: join(dir, 'blobs') });
    expect(c.publicUrl).toBe('http://localhost:8080');
    const described = describeConfig(c);
    for (const s of Object.values(SETTINGS)) expect(Object.keys(described)).toContain(s.env);
  });

  it('masks secrets in the effective configuration', () => {
    const c = loadConfig({
      ...base,
      TESSERA_SECRET: 's'.repeat(40),
      TESSERA_DATABASE_URL: 'postgres://tessera:hunter2hunter2@db:5432/tessera',
      TESSERA_REDIS_URL: 'redis://user:redispass@cache:6379/0',
      TESSERA_BLOBS: 's3://bucket/prefix?endpoint=http%3A%2F%2Fminio%3A9000',
      TESSERA_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      TESSERA_S3_SECRET_ACCESS_KEY: 's3secretvalue',
    });
    const text = JSON.stringify(describeConfig(c));
    for (const secret of ['s'.repeat(40), 'hunter2hunter2', 'redispass', 'AKIAEXAMPLE', 's3secretvalue']) expect(text).not.toContain(secret);
    expect(text).toContain('postgres://tessera:********@db:5432/tessera');
  });

  it('reads the JSON config file and lets the environment win over it', () => {
    const file = writeJson('ok.json', JSON.stringify({ port: 9000, logLevel: 'debug', defaultLanguage: 'fr' }));
    const fromFile = loadConfig({ ...base, TESSERA_CONFIG_FILE: file });
    expect(fromFile.port).toBe(9000);
    expect(fromFile.logLevel).toBe('debug');
    const envWins = loadConfig({ ...base, TESSERA_CONFIG_FILE: file, TESSERA_PORT: '9100', TESSERA_DEFAULT_LANGUAGE: 'de' });
    expect(envWins.port).toBe(9100);
    expect(envWins.defaultLanguage).toBe('de');
    expect(envWins.logLevel).toBe('debug');
  });

  it('refuses a config file with an unknown key, naming the key', () => {
    const file = writeJson('unknown.json', JSON.stringify({ port: 9000, databse: 'sqlite:x.db' }));
    const e = configError({ TESSERA_CONFIG_FILE: file });
    expect(e.message).toContain('databse');
    expect(e.message).toContain('unknown setting');
  });

  it('refuses a bad value in the config file with the setting name', () => {
    const file = writeJson('badvalue.json', JSON.stringify({ port: 'http' }));
    expect(configError({ TESSERA_CONFIG_FILE: file }).setting).toBe('TESSERA_PORT');
  });

  it('refuses a missing, non-JSON or non-object config file', () => {
    expect(configError({ TESSERA_CONFIG_FILE: join(dir, 'nope.json') }).setting).toBe('TESSERA_CONFIG_FILE');
    expect(configError({ TESSERA_CONFIG_FILE: writeJson('broken.json', '{ port: 1') }).message).toContain('not valid JSON');
    expect(configError({ TESSERA_CONFIG_FILE: writeJson('array.json', '[1]') }).message).toContain('JSON object');
  });

  it('parses S3 and PostgreSQL URLs', () => {
    const c = loadConfig({
      ...base,
      TESSERA_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/t',
      TESSERA_BLOBS: 's3://tessera/data?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-central-1',
      TESSERA_PUBLIC_URL: 'https://work.example.org/',
    });
    expect(c.database.kind).toBe('postgres');
    expect(c.blobs).toMatchObject({ kind: 's3', bucket: 'tessera', prefix: 'data', endpoint: 'http://127.0.0.1:9000', region: 'eu-central-1' });
    expect(c.publicUrl).toBe('https://work.example.org');
    expect(c.cookieSecure).toBe(true);
  });
});
