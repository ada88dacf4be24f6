/**
 * Small helpers for bench/files: a WebDAV client on Node's http with a keep-alive agent, a bounded
 * worker pool, streamed big PUT/GET, and a memory sampler reading /proc.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One server under test: base URL of the user's DAV root, Basic credentials, its own agent. */
export class DavClient {
  constructor(baseUrl, username, password, concurrency) {
    this.base = new URL(baseUrl);
    this.auth = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  }

  /** A request with a small (or no) body; resolves to { status, headers, body: Buffer }. */
  request(method, path, { headers = {}, body, timeoutMs = 120_000 } = {}) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path: this.base.pathname + path,
          method,
          agent: this.agent,
          headers: { authorization: this.auth, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}), ...headers },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Like request, but a status outside 2xx/207 throws. */
  async expectOk(method, path, opts) {
    const res = await this.request(method, path, opts);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${method} ${this.base.pathname}${path} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
    }
    return res;
  }

  /**
   * PUT of `totalBytes` produced chunk by chunk by `chunkAt(i)` (never the whole body in memory),
   * honouring back-pressure. Resolves to the response status once the answer has been read.
   */
  putStream(path, totalBytes, chunkSize, chunkAt, timeoutMs) {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.base.hostname,
        port: this.base.port,
        path: this.base.pathname + path,
        method: 'PUT',
        agent: this.agent,
        headers: { authorization: this.auth, 'content-length': totalBytes, 'content-type': 'application/octet-stream' },
        timeout: timeoutMs,
      });
      req.on('timeout', () => req.destroy(new Error(`PUT ${path}: stalled for ${timeoutMs} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode < 200 || res.statusCode > 299) reject(new Error(`PUT ${path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
          else resolve(res.statusCode);
        });
      });
      let i = 0;
      const chunks = Math.ceil(totalBytes / chunkSize);
      const pump = () => {
        while (i < chunks) {
          const chunk = chunkAt(i++);
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
  }

  /** Streamed GET: counts bytes and hashes them (SHA-256) as they arrive; nothing is kept. */
  getStream(path, timeoutMs) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, path: this.base.pathname + path, method: 'GET', agent: this.agent, headers: { authorization: this.auth }, timeout: timeoutMs },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`GET ${path} answered ${res.statusCode}`));
            return;
          }
          const hash = createHash('sha256');
          let bytes = 0;
          res.on('data', (c) => {
            bytes += c.length;
            hash.update(c);
          });
          res.on('end', () => resolve({ bytes, sha256: hash.digest('hex') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: stalled for ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  close() {
    this.agent.destroy();
  }
}

/** Runs fn(0..count-1) with at most `concurrency` in flight; the first failure rejects. */
export async function pool(count, concurrency, fn) {
  let next = 0;
  let failed;
  const worker = async () => {
    while (next < count && !failed) {
      const i = next++;
      try {
        await fn(i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failed) throw failed;
}

/** The pid and every descendant (through /proc/<pid>/task/<tid>/children). */
export function processTree(rootPid) {
  const out = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    let tasks = [];
    try {
      tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      /* gone, or no children file */
    }
    stack.push(...tasks);
  }
  return out;
}

/** kB value of a field in /proc/<pid>/status (VmRSS, VmHWM), or 0 when the process is gone. */
export function statusKb(pid, field) {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * CPU seconds (user + system) used so far by a process tree: every live process, plus what the
 * root has collected from children that already exited.
 */
export function cpuSeconds(rootPid) {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(f[11]) + Number(f[12]);
      if (pid === rootPid) total += Number(f[13]) + Number(f[14]);
    } catch {
      /* gone */
    }
  }
  return total / ticks;
}

function pssKb(pid) {
  try {
    return Number(/Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Every `intervalMs`, sums VmRSS (and PSS, which splits shared pages between the processes sharing
 * them) over a process tree; keeps the peaks and the largest process count seen.
 */
export function memorySampler(rootPid, intervalMs = 100) {
  const peak = { rssKb: 0, pssKb: 0, processes: 0 };
  const sample = () => {
    const pids = processTree(rootPid);
    let rss = 0;
    let pss = 0;
    for (const p of pids) {
      rss += statusKb(p, 'VmRSS');
      pss += pssKb(p);
    }
    peak.rssKb = Math.max(peak.rssKb, rss);
    peak.pssKb = Math.max(peak.pssKb, pss);
    peak.processes = Math.max(peak.processes, pids.length);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return { peak, stop: () => (clearInterval(timer), sample(), peak) };
}
