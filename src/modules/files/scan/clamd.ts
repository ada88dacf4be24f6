import { connect, type Socket } from 'node:net';
import { Transform } from 'node:stream';
import { describeClamd, type ClamdAddress } from '../../../platform/config/config.js';
import { ScannerUnavailableError, TooLargeToScanError } from './errors.js';

export type ScanVerdict = { clean: true } | { clean: false; signature: string };

/** One upload being scanned: bytes flow through `tap` to clamd; `verdict()` ends the stream and waits. */
export interface ScanSession {
  /** Passes the upload through unchanged while copying it to clamd, with clamd's backpressure. */
  tap: Transform;
  verdict(): Promise<ScanVerdict>;
  /** Closes the connection (the upload failed for another reason). */
  abort(): void;
}

export interface VirusScanner {
  /** For the admin status: where clamd is. */
  readonly address: string;
  /** Connects to clamd and starts an INSTREAM scan; throws ScannerUnavailableError at once when clamd is down. */
  start(): Promise<ScanSession>;
  /** Uploads above this cannot be scanned (clamd's StreamMaxLength). */
  readonly maxBytes: number;
  /** PING/PONG, for the admin status. */
  ping(): Promise<void>;
}

/**
 * A small clamd INSTREAM client of our own rather than the `clamscan` package: clamscan's init()
 * probes for local binaries and config files (clamd may well live on another host), and its
 * passthrough stream reports a StreamMaxLength overflow and an unreachable daemon the same way,
 * while we must answer those differently (413 vs 503). The protocol is four messages long
 * (clamd(8), "INSTREAM"): `zINSTREAM\0`, then chunks each prefixed by their 4-byte big-endian
 * length, then a zero length; clamd answers `stream: OK`, `stream: <name> FOUND` or `... ERROR`.
 * Bytes are written as they arrive and only after clamd took the previous ones, so memory stays
 * flat whatever the file's size.
 */
export function createClamdScanner(address: ClamdAddress, timeoutMs: number, maxBytes = 100 * 1024 * 1024): VirusScanner {
  const open = () => openSocket(address, timeoutMs);
  return {
    address: describeClamd(address),
    maxBytes,
    async ping() {
      const conn = await open();
      conn.socket.end('zPING\0');
      const reply = await conn.reply;
      if (reply !== 'PONG') throw new ScannerUnavailableError(`clamd answered PING with ${JSON.stringify(reply)}`);
    },
    async start() {
      const conn = await open();
      conn.socket.write('zINSTREAM\0');
      let sent = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          sent += chunk.length;
          // Stopped on our side: past StreamMaxLength clamd drops the connection, and whether its
          // "size limit exceeded" answer arrives before the reset is a race.
          if (sent > maxBytes) {
            conn.socket.destroy();
            cb(new TooLargeToScanError());
            return;
          }
          if (conn.done || conn.socket.destroyed) {
            // clamd stopped reading (size limit, error): its answer says why.
            conn.reply.then((r) => cb(replyError(r)), (e: unknown) => cb(e as Error));
            return;
          }
          const header = Buffer.alloc(4);
          header.writeUInt32BE(chunk.length);
          conn.socket.write(header);
          if (conn.socket.write(chunk)) {
            cb(null, chunk);
            return;
          }
          const onDrain = () => {
            conn.socket.off('close', onClose);
            cb(null, chunk);
          };
          const onClose = () => {
            conn.socket.off('drain', onDrain);
            conn.reply.then((r) => cb(replyError(r)), (e: unknown) => cb(e as Error));
          };
          conn.socket.once('drain', onDrain);
          conn.socket.once('close', onClose);
        },
      });
      return {
        tap,
        abort: () => conn.socket.destroy(),
        async verdict() {
          if (!conn.done) conn.socket.end(Buffer.alloc(4));
          const reply = await conn.reply;
          const found = /^stream: (.+) FOUND$/.exec(reply);
          if (found) return { clean: false, signature: found[1]! };
          if (reply === 'stream: OK') return { clean: true };
          throw replyError(reply);
        },
      };
    },
  };
}

function replyError(reply: string): Error {
  if (/size limit exceeded/i.test(reply)) return new TooLargeToScanError();
  return new ScannerUnavailableError(`clamd answered ${JSON.stringify(reply)}`);
}

interface Connection {
  socket: Socket;
  /** clamd's answer without its trailing NUL, once it closed or finished the line. */
  reply: Promise<string>;
  /** True once clamd answered or the connection closed. */
  done: boolean;
}

function openSocket(address: ClamdAddress, timeoutMs: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = address.kind === 'tcp' ? connect({ host: address.host, port: address.port }) : connect({ path: address.path });
    socket.setTimeout(timeoutMs);
    let received = '';
    let failure: Error | null = null;
    let connected = false;
    const conn: Connection = { socket, done: false, reply: Promise.resolve('') };
    conn.reply = new Promise<string>((res, rej) => {
      const finish = () => {
        if (conn.done) return;
        conn.done = true;
        const text = received.replace(/\0[\s\S]*$/, '').trim();
        if (text) res(text);
        else rej(failure ?? new ScannerUnavailableError('clamd closed the connection without an answer'));
      };
      socket.on('data', (d: Buffer) => {
        received += d.toString('utf8');
        if (received.includes('\0')) {
          finish();
          socket.destroy();
        }
      });
      socket.on('close', finish);
    });
    // Nobody may await the reply (connect failed): never an unhandled rejection.
    conn.reply.catch(() => {});
    socket.on('timeout', () => {
      failure = new ScannerUnavailableError(`clamd did not answer within ${timeoutMs} ms`);
      socket.destroy(failure);
    });
    socket.on('error', (err) => {
      failure ??= new ScannerUnavailableError(`clamd: ${err.message}`);
      if (!connected) reject(failure);
    });
    socket.once('connect', () => {
      connected = true;
      resolve(conn);
    });
  });
}
