import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import type { EventBus, Subscription } from './eventBus.js';
import { HandlerTable } from './handlers.js';

const CONNECT_TIMEOUT_MS = 5000;

/**
 * Redis pub/sub shared by every Tessera process on the same Redis. A subscribed connection can
 * do nothing but (un)subscribe, hence the second connection. Channels carry a prefix because
 * pub/sub ignores the database number: two deployments on one Redis would otherwise cross.
 */
export async function createRedisBus(redisUrl: string, log: Logger, opts: { prefix?: string } = {}): Promise<EventBus> {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\/+/, '') || '0';
  const prefix = opts.prefix ?? url.searchParams.get('prefix') ?? `tessera:${db}:`;
  url.searchParams.delete('prefix');

  let lastErrorLog = 0;
  const onError = (e: unknown) => {
    // ioredis reconnects by itself; one line per 30 s is enough to tell an operator.
    if (Date.now() - lastErrorLog < 30_000) return;
    lastErrorLog = Date.now();
    log.warn({ err: e }, 'Redis connection problem; events between processes are delayed or lost until it recovers');
  };
  const pub = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: CONNECT_TIMEOUT_MS });
  pub.on('error', onError);
  try {
    await pub.connect();
    await pub.ping();
  } catch (e) {
    pub.disconnect();
    throw new Error(`Redis at ${maskUrl(redisUrl)} is not reachable (${(e as Error).message}); check TESSERA_REDIS_URL`);
  }
  const sub = pub.duplicate();
  sub.on('error', onError);
  await sub.connect();

  const handlers = new HandlerTable(log);
  const subscribed = new Map<string, Promise<void>>();
  sub.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      log.warn({ channel }, 'ignoring an event that is not JSON');
      return;
    }
    handlers.deliver(channel.slice(prefix.length), payload);
  });

  let closed = false;
  return {
    kind: 'redis',
    async publish(topic, payload) {
      if (closed) throw new Error('The event bus is closed');
      await pub.publish(prefix + topic, JSON.stringify(payload ?? null));
    },
    subscribe(topic, handler) {
      const own = (p: unknown) => handler(p);
      if (handlers.add(topic, own)) {
        const ready = sub.subscribe(prefix + topic).then(
          () => undefined,
          (e: unknown) => log.error({ err: e, topic }, 'could not subscribe to an event topic'),
        );
        subscribed.set(topic, ready);
      }
      const unsubscribe = (() => {
        if (handlers.remove(topic, own)) {
          subscribed.delete(topic);
          if (!closed) sub.unsubscribe(prefix + topic).catch(() => {});
        }
      }) as Subscription;
      unsubscribe.ready = subscribed.get(topic) ?? Promise.resolve();
      return unsubscribe;
    },
    async check() {
      if (closed) throw new Error('The event bus is closed');
      try {
        await pub.ping();
      } catch (e) {
        throw new Error(`Redis is not reachable: ${(e as Error).message}`);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      await Promise.allSettled([sub.quit(), pub.quit()]);
    },
  };
}

function maskUrl(s: string): string {
  return s.replace(/\/\/([^:@/]*):([^@/]+)@/, '//$1:********@');
}
