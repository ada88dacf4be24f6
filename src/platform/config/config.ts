import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every setting Tessera reads. Each has one environment variable and one key in the optional
 * JSON config file (TESSERA_CONFIG_FILE); the environment wins. docs/admin-guide.md lists them
 * from this table, so a new setting is documented by adding it here.
 */
export const SETTINGS = {
  port: { env: 'TESSERA_PORT', doc: 'TCP port of the HTTP listener.', default: '8080' },
  host: { env: 'TESSERA_HOST', doc: 'Address the HTTP listener binds to.', default: '0.0.0.0' },
  publicUrl: {
    env: 'TESSERA_PUBLIC_URL',
    doc: 'The URL people and clients use to reach Tessera (scheme, host, port). Used for links, cookies and the OIDC issuer.',
    default: 'http://localhost:<port>',
  },
  dataDir: { env: 'TESSERA_DATA_DIR', doc: 'Folder for the embedded database, local blobs and generated keys.', default: './data' },
  databaseUrl: {
    env: 'TESSERA_DATABASE_URL',
    doc: 'sqlite:<path> (embedded, default <dataDir>/tessera.db) or postgres://user:pass@host:port/db.',
    default: 'sqlite:<dataDir>/tessera.db',
  },
  blobs: {
    env: 'TESSERA_BLOBS',
    doc: 'file:<path> (default <dataDir>/blobs) or s3://bucket[/prefix]?endpoint=URL&region=R&forcePathStyle=true. S3 credentials come from TESSERA_S3_ACCESS_KEY_ID / TESSERA_S3_SECRET_ACCESS_KEY or the usual AWS variables.',
    default: 'file:<dataDir>/blobs',
  },
  s3AccessKeyId: { env: 'TESSERA_S3_ACCESS_KEY_ID', doc: 'Access key for the S3 blob store.', default: '', secret: true },
  s3SecretAccessKey: { env: 'TESSERA_S3_SECRET_ACCESS_KEY', doc: 'Secret key for the S3 blob store.', default: '', secret: true },
  redisUrl: {
    env: 'TESSERA_REDIS_URL',
    doc: 'redis://host:port/db. When set, events are shared between Tessera processes through Redis pub/sub.',
    default: '',
    secret: true,
  },
  secret: {
    env: 'TESSERA_SECRET',
    doc: 'Server secret (32+ characters) keying the audit chain and signed tokens. Generated into <dataDir>/secret when unset; set it explicitly when several processes share a database.',
    default: '',
    secret: true,
  },
  logLevel: { env: 'TESSERA_LOG_LEVEL', doc: 'fatal, error, warn, info, debug or trace.', default: 'info' },
  trustProxy: { env: 'TESSERA_TRUST_PROXY', doc: 'true when behind a reverse proxy that sets X-Forwarded-For.', default: 'false' },
  bodyLimit: { env: 'TESSERA_BODY_LIMIT', doc: 'Largest accepted JSON/form request body, in bytes.', default: '1048576' },
  rateLimitPerMinute: {
    env: 'TESSERA_RATE_LIMIT_PER_MINUTE',
    doc: 'Requests per minute one client address may make to the API before it gets 429.',
    default: '600',
  },
  sessionTtlHours: { env: 'TESSERA_SESSION_TTL_HOURS', doc: 'How long an idle browser session stays valid.', default: '168' },
  defaultLanguage: { env: 'TESSERA_DEFAULT_LANGUAGE', doc: 'Language for people who have not chosen one: en, fr, de or nl.', default: 'en' },
  runJobs: { env: 'TESSERA_RUN_JOBS', doc: 'Run background job workers in this process (true/false).', default: 'true' },
  versionsKept: { env: 'TESSERA_FILES_VERSIONS_KEPT', doc: 'How many earlier versions of a file are kept (the oldest go first).', default: '10' },
  trashRetentionDays: { env: 'TESSERA_FILES_TRASH_DAYS', doc: 'Days an item stays in the trash before it is deleted for good.', default: '30' },
  inlineMaxBytes: {
    env: 'TESSERA_FILES_INLINE_MAX_BYTES',
    doc: 'Files up to this many bytes are kept in the database, in the same transaction as their metadata, instead of the blob store (much faster for many small files; no S3 request per tiny object). 0 keeps every file in the blob store.',
    default: '32768',
  },
  soffice: {
    env: 'TESSERA_SOFFICE',
    doc: 'LibreOffice for office previews: the path of soffice, empty to look for soffice/libreoffice on PATH, or off to disable office previews.',
    default: '',
  },
  officeTimeoutSeconds: { env: 'TESSERA_OFFICE_TIMEOUT_SECONDS', doc: 'A LibreOffice conversion taking longer than this is killed and the preview fails.', default: '60' },
  officeConversions: { env: 'TESSERA_OFFICE_CONVERSIONS', doc: 'How many LibreOffice conversions one process runs at a time (each needs ~200 MB of memory).', default: '1' },
  wopiDiscoveryUrl: {
    env: 'TESSERA_WOPI_DISCOVERY_URL',
    doc: 'Discovery URL of the office editor (WOPI client, e.g. Collabora Online: https://office.example.org/hosting/discovery). When set, Files offers "Open in editor" for the file types it lists.',
    default: '',
  },
  wopiProof: {
    env: 'TESSERA_WOPI_PROOF',
    doc: 'Checking that WOPI requests are signed by the office editor (X-WOPI-Proof): auto (when its discovery publishes proof keys), require (refuse every WOPI request unless the discovery has proof keys and the request is signed with them; needs TESSERA_WOPI_DISCOVERY_URL) or off.',
    default: 'auto',
  },
  clamav: {
    env: 'TESSERA_CLAMAV',
    doc: 'ClamAV daemon that scans every upload: tcp://host:port or the path of its unix socket (unix:/run/clamav/clamd.ctl or /run/clamav/clamd.ctl). Unset: uploads are not scanned. When set and clamd cannot be reached, uploads are refused (503).',
    default: '',
  },
  clamavMode: {
    env: 'TESSERA_CLAMAV_MODE',
    doc: 'What happens to an infected upload: delete (the blob is removed) or quarantine (kept for administrators to inspect and delete, GET /api/admin/files/quarantine).',
    default: 'delete',
  },
  clamavMaxBytes: {
    env: 'TESSERA_CLAMAV_MAX_BYTES',
    doc: "Largest upload sent to clamd, in bytes: set it to clamd's StreamMaxLength. A bigger upload is refused with 413 (it cannot be scanned, so it is not stored).",
    default: '104857600',
  },
  clamavTimeoutSeconds: {
    env: 'TESSERA_CLAMAV_TIMEOUT_SECONDS',
    doc: 'How long clamd may stay silent (connecting, reading or giving its verdict) before the upload is refused as "scanner unavailable".',
    default: '60',
  },
} as const;

export type SettingName = keyof typeof SETTINGS;

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  port: int(0, 65535),
  host: z.string().min(1),
  publicUrl: z.string().url().optional(),
  dataDir: z.string().min(1),
  databaseUrl: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  blobs: z.string().regex(/^(file:|s3:\/\/)/, 'must start with file: or s3://').optional(),
  s3AccessKeyId: z.string().optional(),
  s3SecretAccessKey: z.string().optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional()
    .or(z.literal('')),
  secret: z.string().min(32, 'must be at least 32 characters').optional().or(z.literal('')),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  trustProxy: bool,
  bodyLimit: int(1024, 1024 * 1024 * 1024),
  rateLimitPerMinute: int(1, 1_000_000),
  sessionTtlHours: int(1, 24 * 365),
  defaultLanguage: z.enum(['en', 'fr', 'de', 'nl']),
  runJobs: bool,
  versionsKept: int(1, 1000),
  trashRetentionDays: int(1, 3650),
  inlineMaxBytes: int(0, 1024 * 1024),
  soffice: z.string().optional(),
  officeTimeoutSeconds: int(5, 3600),
  officeConversions: int(1, 8),
  wopiDiscoveryUrl: z
    .string()
    .url()
    .regex(/^https?:\/\//, 'must start with http:// or https://')
    .optional()
    .or(z.literal('')),
  wopiProof: z.enum(['auto', 'require', 'off']),
  clamav: z
    .string()
    .regex(/^(tcp:\/\/[^:/]+:\d+\/?|unix:\/.+|\/.+)$/, 'must be tcp://host:port, unix:/path or /path')
    .optional()
    .or(z.literal('')),
  clamavMode: z.enum(['delete', 'quarantine']),
  clamavMaxBytes: int(1, Number.MAX_SAFE_INTEGER),
  clamavTimeoutSeconds: int(1, 3600),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  database: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  blobs: { kind: 'file'; path: string } | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region: string; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: string };
  redisUrl?: string;
  secret?: string;
  logLevel: string;
  trustProxy: boolean;
  bodyLimit: number;
  rateLimitPerMinute: number;
  sessionTtlHours: number;
  defaultLanguage: 'en' | 'fr' | 'de' | 'nl';
  runJobs: boolean;
  /** Files: earlier versions kept per file, days in the trash before deletion for good, largest file kept in the database. */
  files: { versionsKept: number; trashRetentionDays: number; inlineMaxBytes: number };
  /** Office previews: soffice path ('' = search PATH, 'off' = disabled), timeout, parallel conversions. */
  office: { soffice: string; timeoutSeconds: number; conversions: number };
  cookieSecure: boolean;
  /** The office editor's WOPI discovery URL; unset when no editor is configured. */
  wopiDiscoveryUrl?: string;
  /** Whether WOPI requests must carry the editor's signature (X-WOPI-Proof). */
  wopiProof: 'auto' | 'require' | 'off';
  /** Virus scanning of uploads; undefined when no clamd is configured. */
  clamav?: { address: ClamdAddress; mode: 'delete' | 'quarantine'; timeoutMs: number; maxBytes: number };
}

export type ClamdAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export class ConfigError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`Invalid configuration: ${setting}: ${message}`);
  }
}

/** Reads settings from the environment and the optional file; stops with the setting's name on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<SettingName, string | number | boolean>> = {}): Config {
  const raw: Record<string, unknown> = {};
  const file = env.TESSERA_CONFIG_FILE;
  if (file) {
    if (!existsSync(file)) throw new ConfigError('TESSERA_CONFIG_FILE', `file ${file} does not exist`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError('TESSERA_CONFIG_FILE', `${file} is not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError('TESSERA_CONFIG_FILE', 'must hold a JSON object');
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (!(key in SETTINGS)) throw new ConfigError(`${file}: ${key}`, `unknown setting; known: ${Object.keys(SETTINGS).join(', ')}`);
      raw[key] = value;
    }
  }
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const value = env[setting.env];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  Object.assign(raw, overrides);
  for (const [key, setting] of Object.entries(SETTINGS)) {
    if (raw[key] === undefined && !setting.default.includes('<') && setting.default !== '') raw[key] = setting.default;
  }

  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? '') as SettingName;
    const name = SETTINGS[key]?.env ?? key;
    throw new ConfigError(name, `${issue.message} (got ${JSON.stringify(raw[key])})`);
  }
  const c = result.data;
  // Nothing could ever pass: say so at start rather than refuse every editor request later.
  if (c.wopiProof === 'require' && !c.wopiDiscoveryUrl) {
    throw new ConfigError(SETTINGS.wopiProof.env, 'require needs the editor\'s discovery (set TESSERA_WOPI_DISCOVERY_URL), where its proof keys are published');
  }
  const dataDir = resolve(c.dataDir);
  const publicUrl = (c.publicUrl ?? `http://localhost:${c.port}`).replace(/\/+$/, '');
  return {
    port: c.port,
    host: c.host,
    publicUrl,
    dataDir,
    database: parseDatabaseUrl(c.databaseUrl ?? `sqlite:${dataDir}/tessera.db`),
    blobs: parseBlobsUrl(c.blobs ?? `file:${dataDir}/blobs`, c.s3AccessKeyId || env.AWS_ACCESS_KEY_ID, c.s3SecretAccessKey || env.AWS_SECRET_ACCESS_KEY),
    redisUrl: c.redisUrl || undefined,
    secret: c.secret || undefined,
    logLevel: c.logLevel,
    trustProxy: c.trustProxy,
    bodyLimit: c.bodyLimit,
    rateLimitPerMinute: c.rateLimitPerMinute,
    sessionTtlHours: c.sessionTtlHours,
    defaultLanguage: c.defaultLanguage,
    runJobs: c.runJobs,
    files: { versionsKept: c.versionsKept, trashRetentionDays: c.trashRetentionDays, inlineMaxBytes: c.inlineMaxBytes },
    office: { soffice: c.soffice ?? '', timeoutSeconds: c.officeTimeoutSeconds, conversions: c.officeConversions },
    cookieSecure: publicUrl.startsWith('https://'),
    wopiDiscoveryUrl: c.wopiDiscoveryUrl || undefined,
    wopiProof: c.wopiProof,
    clamav: c.clamav ? { address: parseClamdAddress(c.clamav), mode: c.clamavMode, timeoutMs: c.clamavTimeoutSeconds * 1000, maxBytes: c.clamavMaxBytes } : undefined,
  };
}

function parseClamdAddress(value: string): ClamdAddress {
  if (value.startsWith('tcp://')) {
    const u = new URL(value);
    return { kind: 'tcp', host: u.hostname, port: Number(u.port) };
  }
  return { kind: 'unix', path: value.replace(/^unix:/, '') };
}

function parseDatabaseUrl(url: string): Config['database'] {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('TESSERA_DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/tessera.db');
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('TESSERA_DATABASE_URL', 'is not a valid postgres:// URL');
  }
  if (!u.hostname) throw new ConfigError('TESSERA_DATABASE_URL', 'needs a host, e.g. postgres://tessera:secret@db.example.org:5432/tessera');
  return { kind: 'postgres', url };
}

function parseBlobsUrl(url: string, accessKeyId?: string, secretAccessKey?: string): Config['blobs'] {
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('TESSERA_BLOBS', 'file: needs a folder path');
    return { kind: 'file', path: resolve(path) };
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('TESSERA_BLOBS', 'is not a valid s3:// URL');
  }
  if (!u.hostname) throw new ConfigError('TESSERA_BLOBS', 's3:// URL needs a bucket name');
  return {
    kind: 's3',
    bucket: u.hostname,
    prefix: u.pathname.replace(/^\/+/, '').replace(/\/*$/, ''),
    endpoint: u.searchParams.get('endpoint') ?? undefined,
    region: u.searchParams.get('region') ?? 'us-east-1',
    forcePathStyle: u.searchParams.get('forcePathStyle') !== 'false',
    accessKeyId: accessKeyId || undefined,
    secretAccessKey: secretAccessKey || undefined,
  };
}

/** The effective configuration with secrets masked, for `tessera doctor` and the admin status page. */
export function describeConfig(config: Config): Record<string, string> {
  const mask = (s?: string) => (s ? '********' : '(unset)');
  const maskUrl = (s: string) => s.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:********@');
  return {
    TESSERA_PORT: String(config.port),
    TESSERA_HOST: config.host,
    TESSERA_PUBLIC_URL: config.publicUrl,
    TESSERA_DATA_DIR: config.dataDir,
    TESSERA_DATABASE_URL: config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : maskUrl(config.database.url),
    TESSERA_BLOBS:
      config.blobs.kind === 'file'
        ? `file:${config.blobs.path}`
        : `s3://${config.blobs.bucket}${config.blobs.prefix ? '/' + config.blobs.prefix : ''}${config.blobs.endpoint ? ` (endpoint ${config.blobs.endpoint})` : ''}`,
    TESSERA_S3_ACCESS_KEY_ID: config.blobs.kind === 's3' ? mask(config.blobs.accessKeyId) : '(unset)',
    TESSERA_S3_SECRET_ACCESS_KEY: config.blobs.kind === 's3' ? mask(config.blobs.secretAccessKey) : '(unset)',
    TESSERA_REDIS_URL: config.redisUrl ? maskUrl(config.redisUrl) : '(unset)',
    TESSERA_SECRET: config.secret ? '********' : '(generated in data dir)',
    TESSERA_LOG_LEVEL: config.logLevel,
    TESSERA_TRUST_PROXY: String(config.trustProxy),
    TESSERA_BODY_LIMIT: String(config.bodyLimit),
    TESSERA_RATE_LIMIT_PER_MINUTE: String(config.rateLimitPerMinute),
    TESSERA_SESSION_TTL_HOURS: String(config.sessionTtlHours),
    TESSERA_DEFAULT_LANGUAGE: config.defaultLanguage,
    TESSERA_RUN_JOBS: String(config.runJobs),
    TESSERA_FILES_VERSIONS_KEPT: String(config.files.versionsKept),
    TESSERA_FILES_TRASH_DAYS: String(config.files.trashRetentionDays),
    TESSERA_FILES_INLINE_MAX_BYTES: String(config.files.inlineMaxBytes),
    TESSERA_SOFFICE: config.office.soffice || '(search PATH)',
    TESSERA_OFFICE_TIMEOUT_SECONDS: String(config.office.timeoutSeconds),
    TESSERA_OFFICE_CONVERSIONS: String(config.office.conversions),
    TESSERA_WOPI_DISCOVERY_URL: config.wopiDiscoveryUrl ?? '(unset)',
    TESSERA_WOPI_PROOF: config.wopiDiscoveryUrl || config.wopiProof === 'off' ? config.wopiProof : `${config.wopiProof} (no editor configured)`,
    TESSERA_CLAMAV: describeClamd(config.clamav?.address),
    TESSERA_CLAMAV_MODE: config.clamav?.mode ?? '(scanning off)',
    TESSERA_CLAMAV_MAX_BYTES: config.clamav ? String(config.clamav.maxBytes) : '(scanning off)',
    TESSERA_CLAMAV_TIMEOUT_SECONDS: config.clamav ? String(config.clamav.timeoutMs / 1000) : '(scanning off)',
  };
}

export function describeClamd(address?: ClamdAddress): string {
  if (!address) return '(unset)';
  return address.kind === 'tcp' ? `tcp://${address.host}:${address.port}` : `unix:${address.path}`;
}
