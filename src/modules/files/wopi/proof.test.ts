import { createServer as createNetServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser, signIn, startTestServer, type TestClient, type TestServer } from '../../../test-support/identity.js';
import { editorKey, proofHeaders, proofKeyElement, type EditorKey } from '../testing/proofSigner.js';
import { MS_DISCOVERY, MS_INVALID, MS_PROOF_CURRENT, MS_PROOF_OLD_CURRENT, MS_PROOF_OLD_KEY } from '../testing/msProofVectors.js';
import { parseDiscovery } from './discovery.js';
import { expectedProof, readProofKeys, ticksAt, verifyProof, type ProofKeys } from './proof.js';

const attrsOf = (values: Record<string, string>) => (_tag: string, name: string) => values[name];
const msKeys = (values: Record<string, string>): ProofKeys => {
  const state = readProofKeys('<proof-key/>', attrsOf(values));
  if (state.kind !== 'keys') throw new Error(`keys expected, got ${JSON.stringify(state)}`);
  return state.keys;
};

describe('WOPI proof keys: reading and verifying', () => {
  it("verifies Microsoft's published Office Online signatures, with modulus/exponent and with the CSP blob", () => {
    const { value, oldvalue, ...numbers } = MS_DISCOVERY;
    for (const keys of [msKeys(numbers), msKeys({ value, oldvalue })]) {
      expect(verifyProof(keys, MS_PROOF_CURRENT, Date.now(), false)).toEqual({ ok: true, via: 'current_key' });
      expect(verifyProof(keys, MS_PROOF_OLD_CURRENT, Date.now(), false)).toEqual({ ok: true, via: 'proof_old' });
      expect(verifyProof(keys, MS_PROOF_OLD_KEY, Date.now(), false)).toEqual({ ok: true, via: 'old_key' });
      expect(verifyProof(keys, MS_INVALID, Date.now(), false)).toEqual({ ok: false, reason: 'bad_signature' });
      // The same request, one character of the URL changed.
      expect(verifyProof(keys, { ...MS_PROOF_CURRENT, url: MS_PROOF_CURRENT.url.replace('contoso', 'fabrikam') }, Date.now(), false).ok).toBe(false);
    }
    // 2015 timestamps are replays today.
    expect(verifyProof(msKeys(numbers), MS_PROOF_CURRENT)).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('lays out the signed bytes as the spec says: lengths, token, upper-cased URL, 8-byte ticks', () => {
    const bytes = expectedProof('tök', 'http://h/wopi?x=a', 0x0102030405060708n);
    expect(bytes.toString('hex')).toBe(
      '00000004' + Buffer.from('tök').toString('hex') + '00000011' + Buffer.from('HTTP://H/WOPI?X=A').toString('hex') + '00000008' + '0102030405060708',
    );
    // .NET ticks: 100 ns since 0001-01-01 (value from Python: (datetime(2015,4,29) - datetime(1,1,1)).days * 864e9).
    expect(ticksAt(Date.UTC(2015, 3, 29, 0, 0, 0))).toBe(635658624000000000n);
  });

  it('reads proof-key elements from discovery, and says why one cannot be used', () => {
    const current = editorKey();
    const old = editorKey();
    const xml = (proofKey: string) => `<wopi-discovery><net-zone><app name="writer"><action name="edit" ext="odt" urlsrc="https://office.example.org/e?"/></app></net-zone>${proofKey}</wopi-discovery>`;
    expect(parseDiscovery(xml('')).proof).toEqual({ kind: 'none' });
    for (const only of [undefined, 'value', 'modulus'] as const) {
      const proof = parseDiscovery(xml(proofKeyElement(current, old, only))).proof;
      expect(proof.kind).toBe('keys');
      if (proof.kind !== 'keys') continue;
      expect(proof.keys.current.equals(current.publicKey)).toBe(true);
      expect(proof.keys.old?.equals(old.publicKey)).toBe(true);
    }
    const alone = parseDiscovery(xml(proofKeyElement(current))).proof;
    expect(alone.kind === 'keys' && alone.keys.old).toBeUndefined();
    // The trimmed Collabora sample of discovery.test.ts: a 16-bit "key" is refused, not trusted.
    expect(parseDiscovery(xml('<proof-key exponent="AQAB" modulus="abc" value="def"/>')).proof).toMatchObject({ kind: 'unreadable', problem: expect.stringContaining('bits') });
    expect(parseDiscovery(xml('<proof-key exponent="AQAB" modulus="not base64!"/>')).proof).toMatchObject({ kind: 'unreadable', problem: expect.stringContaining('base64') });
    expect(parseDiscovery(xml('<proof-key oldvalue="AAAA"/>')).proof).toMatchObject({ kind: 'unreadable' });
  });

  it('refuses missing, malformed, stale and future timestamps, and foreign keys', () => {
    const k = editorKey();
    const keys: ProofKeys = { current: k.publicKey };
    const url = 'https://tessera.example.org/wopi/files/abc?access_token=t';
    const signed = (atMs: number, key: EditorKey = k) => {
      const h = proofHeaders(key, 't', url, { atMs });
      return { accessToken: 't', url, timestamp: h['x-wopi-timestamp']!, proof: h['x-wopi-proof']!, proofOld: null };
    };
    const now = Date.now();
    expect(verifyProof(keys, signed(now - 19 * 60_000), now)).toEqual({ ok: true, via: 'current_key' });
    expect(verifyProof(keys, signed(now - 21 * 60_000), now)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyProof(keys, signed(now + 21 * 60_000), now)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyProof(keys, signed(now, editorKey()), now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyProof(keys, { ...signed(now), proof: null }, now)).toEqual({ ok: false, reason: 'missing_proof' });
    expect(verifyProof(keys, { ...signed(now), timestamp: null }, now)).toEqual({ ok: false, reason: 'missing_proof' });
    expect(verifyProof(keys, { ...signed(now), timestamp: '-5' }, now)).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(verifyProof(keys, { ...signed(now), timestamp: '99999999999999999999' }, now)).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(verifyProof(keys, { ...signed(now), proof: 'not base64 at all!' }, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A Tessera on a known port, so its public URL is the one the stand-in editor calls and signs. */
async function tesseraWith(config: Record<string, string>): Promise<TestServer> {
  const port = await freePort();
  return startTestServer({ port, publicUrl: `http://127.0.0.1:${port}`, ...config });
}

/** A person, a document and an access token for it: what the host page hands the editor. */
async function openDocument(ts: TestServer, username: string): Promise<{ id: string; token: string; client: TestClient }> {
  const { password } = await createUser(ts, { username });
  const client = await signIn(ts.url, username, password);
  const spaces = await client.get<{ spaces: { kind: string; rootId: string }[] }>('/api/files/spaces');
  const rootId = spaces.body.spaces.find((s) => s.kind === 'personal')!.rootId;
  const upload = await fetch(`${ts.url}/api/files/nodes/${rootId}/upload?name=doc.odt`, {
    method: 'PUT',
    headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': 'application/octet-stream' },
    body: 'original',
  });
  const { id } = (await upload.json()) as { id: string };
  const issued = await client.post<{ accessToken: string }>(`/api/files/nodes/${id}/wopi`);
  return { id, token: issued.body.accessToken, client };
}

describe('WOPI proof keys on the WOPI endpoints', () => {
  let editor: Server;
  let editorOrigin = '';
  /** What the stand-in editor's discovery publishes, by path: keys may rotate during a test. */
  const published: Record<string, string> = {};
  const k0 = editorKey();
  const k1 = editorKey();
  const k2 = editorKey();
  const discoveryOf = (proofKey: string) =>
    `<wopi-discovery><net-zone name="external-http"><app name="writer"><action name="edit" ext="odt" urlsrc="${editorOrigin}/edit?"/></app></net-zone>${proofKey}</wopi-discovery>`;

  let ts: TestServer;
  let doc: { id: string; token: string; client: TestClient };
  /** Calls Tessera as an editor would: the full public URL, signed (or not) by `headers`. */
  const call = async (token: string, path: string, sign: (url: string) => Record<string, string>, init: { method?: string; headers?: Record<string, string>; body?: string } = {}, on = ts) => {
    const url = `${on.url}${path}?access_token=${encodeURIComponent(token)}`;
    const res = await fetch(url, { method: init.method ?? 'GET', headers: { ...sign(url), ...init.headers }, body: init.body });
    return { status: res.status, body: await res.text() };
  };
  const signedBy = (key: EditorKey, token: string, oldKey?: EditorKey, atMs?: number) => (url: string) => proofHeaders(key, token, url, { oldKey, atMs });
  const unsigned = () => ({});

  beforeAll(async () => {
    editor = createServer((req, res) => {
      const body = published[req.url ?? ''];
      if (body === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
    });
    await new Promise<void>((resolve) => editor.listen(0, '127.0.0.1', resolve));
    editorOrigin = `http://127.0.0.1:${(editor.address() as AddressInfo).port}`;
    published['/signing/hosting/discovery'] = discoveryOf(proofKeyElement(k1, k0));
    published['/unsigned/hosting/discovery'] = discoveryOf('');
    published['/broken/hosting/discovery'] = discoveryOf('<proof-key exponent="AQAB" modulus="abc" value="def"/>');
    ts = await tesseraWith({ wopiDiscoveryUrl: `${editorOrigin}/signing/hosting/discovery` });
    doc = await openDocument(ts, 'alice');
  });
  afterAll(async () => {
    vi.useRealTimers();
    await ts?.close();
    await new Promise((resolve) => editor?.close(resolve));
  });

  it('accepts requests signed with the current key, and every operation is checked', async () => {
    const { id, token } = doc;
    const sign = signedBy(k1, token);
    const info = await call(token, `/wopi/files/${id}`, sign);
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toMatchObject({ BaseFileName: 'doc.odt' });
    expect((await call(token, `/wopi/files/${id}/contents`, sign)).body).toBe('original');
    const lock = { 'x-wopi-lock': 'L' };
    expect((await call(token, `/wopi/files/${id}`, sign, { method: 'POST', headers: { 'x-wopi-override': 'LOCK', ...lock } })).status).toBe(200);
    expect((await call(token, `/wopi/files/${id}/contents`, sign, { method: 'POST', headers: { 'x-wopi-override': 'PUT', ...lock }, body: 'saved' })).status).toBe(200);
    expect((await call(token, `/wopi/files/${id}`, sign, { method: 'POST', headers: { 'x-wopi-override': 'UNLOCK', ...lock } })).status).toBe(200);
    expect((await call(token, `/wopi/files/${id}/contents`, sign)).body).toBe('saved');
  });

  it('refuses unsigned, tampered, foreign-key and stale requests with 500, changes nothing, logs and audits', async () => {
    const { id, token, client } = doc;
    const path = `/wopi/files/${id}/contents`;
    const put = (sign: (url: string) => Record<string, string>) => call(token, path, sign, { method: 'POST', headers: { 'x-wopi-override': 'PUT' }, body: 'evil' });
    const refused = async (answer: Promise<{ status: number; body: string }>) => {
      const a = await answer;
      expect(a.status).toBe(500);
      expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'wopi_proof_invalid' } });
    };
    await refused(call(token, `/wopi/files/${id}`, unsigned));
    await refused(put(unsigned));
    // Signed for another URL (another file, or the same file through another host name).
    await refused(call(token, path, (url) => proofHeaders(k1, token, url.replace(`/files/${id}/`, '/files/other/'))));
    await refused(call(token, path, (url) => proofHeaders(k1, token, url.replace('127.0.0.1', 'localhost'))));
    // Signed for another token: a leaked token cannot borrow a signature made for someone else's.
    await refused(call(token, path, (url) => proofHeaders(k1, 'v1.another.token', url)));
    // A key the editor never published, and a signature 21 minutes old (a replay).
    await refused(put(signedBy(k2, token)));
    await refused(put(signedBy(k1, token, undefined, Date.now() - 21 * 60_000)));
    // The timestamp is part of what is signed: moving it invalidates the proof.
    await refused(
      call(token, path, (url) => {
        const h = proofHeaders(k1, token, url);
        return { ...h, 'x-wopi-timestamp': String(BigInt(h['x-wopi-timestamp']!) + 1n) };
      }),
    );

    // Nothing changed: the content is the saved one, and no lock was taken.
    const content = await client.get<string>(`/api/files/nodes/${id}/content`);
    expect(content.body).toBe('saved');
    expect((await call(token, `/wopi/files/${id}`, signedBy(k1, token), { method: 'POST', headers: { 'x-wopi-override': 'GET_LOCK' } })).status).toBe(200);

    const audit = await ts.server.platform.audit.query({ action: 'files.wopi.proof_refused' });
    expect(audit.length).toBeGreaterThanOrEqual(8);
    expect(audit.every((e) => e.outcome === 'failure' && e.targetId === id)).toBe(true);
    expect(new Set(audit.map((e) => e.details.reason))).toEqual(new Set(['missing_proof', 'bad_signature', 'stale_timestamp']));
    const logged = ts.logs.filter((l) => l.msg === 'WOPI request refused: not signed by the office editor');
    expect(logged.length).toBeGreaterThanOrEqual(8);
    // The token never reaches the log.
    expect(JSON.stringify(ts.logs)).not.toContain(token);
  });

  it('accepts the rotation combinations: ProofOld with the current key, Proof with the old key', async () => {
    const { id, token } = doc;
    const path = `/wopi/files/${id}`;
    // The editor rotated (k2 new, k1 old) before our copy of its discovery did: ProofOld verifies with our current key.
    expect((await call(token, path, signedBy(k2, token, k1))).status).toBe(200);
    // The editor still signs with the key our discovery calls old.
    expect((await call(token, path, signedBy(k0, token))).status).toBe(200);
    // ProofOld is only checked against the current key, never the old one.
    expect((await call(token, path, signedBy(k2, token, k0))).status).toBe(500);
  });

  it('re-reads the discovery when a signature does not verify, at most every 5 minutes', async () => {
    const { id, token } = doc;
    const path = `/wopi/files/${id}`;
    // The editor rotated twice: only k2 signs now, and k2 is in the discovery but not in Tessera's copy.
    published['/signing/hosting/discovery'] = discoveryOf(proofKeyElement(k2, k1));
    expect((await call(token, path, signedBy(k2, token))).status).toBe(500);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6 * 60_000 });
    try {
      expect((await call(token, path, signedBy(k2, token))).status).toBe(200);
      expect((await call(token, path, signedBy(k0, token))).status).toBe(500);
    } finally {
      vi.useRealTimers();
    }
  });

  it('off accepts unsigned requests even when the editor publishes keys', async () => {
    const off = await tesseraWith({ wopiDiscoveryUrl: `${editorOrigin}/signing/hosting/discovery`, wopiProof: 'off' });
    try {
      const d = await openDocument(off, 'olga');
      expect((await call(d.token, `/wopi/files/${d.id}`, unsigned, {}, off)).status).toBe(200);
    } finally {
      await off.close();
    }
  });

  it('auto accepts unsigned requests when the discovery has no proof keys; require refuses them', async () => {
    const auto = await tesseraWith({ wopiDiscoveryUrl: `${editorOrigin}/unsigned/hosting/discovery` });
    const required = await tesseraWith({ wopiDiscoveryUrl: `${editorOrigin}/unsigned/hosting/discovery`, wopiProof: 'require' });
    try {
      const a = await openDocument(auto, 'ada');
      expect((await call(a.token, `/wopi/files/${a.id}`, unsigned, {}, auto)).status).toBe(200);
      const r = await openDocument(required, 'rita');
      const refused = await call(r.token, `/wopi/files/${r.id}`, signedBy(k1, r.token), {}, required);
      expect(refused.status).toBe(500);
      expect(refused.body).toContain('publishes no proof keys');
    } finally {
      await auto.close();
      await required.close();
    }
  });

  it('refuses every request while the discovery publishes a proof key that cannot be read', async () => {
    const broken = await tesseraWith({ wopiDiscoveryUrl: `${editorOrigin}/broken/hosting/discovery` });
    try {
      const b = await openDocument(broken, 'bert');
      expect((await call(b.token, `/wopi/files/${b.id}`, unsigned, {}, broken)).status).toBe(500);
      expect((await call(b.token, `/wopi/files/${b.id}`, unsigned, {}, broken)).status).toBe(500);
      // Said once to the administrator, with the reason.
      expect(broken.logs.filter((l) => String(l.msg).includes('cannot read')).map((l) => l.problem)).toEqual([expect.stringContaining('bits')]);
    } finally {
      await broken.close();
    }
  });
});
