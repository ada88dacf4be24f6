import type { Logger } from '../log/logger.js';
import type { EventBus, Subscription } from './eventBus.js';
import { HandlerTable } from './handlers.js';

/**
 * The single-process bus. Payloads are copied through JSON and delivered on a later tick, so
 * handlers see exactly what a Redis subscriber would, and a publisher never runs handler code.
 */
export function createMemoryBus(log: Logger): EventBus {
  const handlers = new HandlerTable(log);
  let closed = false;
  return {
    kind: 'memory',
    async publish(topic, payload) {
      if (closed) throw new Error('The event bus is closed');
      const json = JSON.stringify(payload ?? null);
      setImmediate(() => handlers.deliver(topic, JSON.parse(json)));
    },
    subscribe(topic, handler) {
      const own = (p: unknown) => handler(p);
      handlers.add(topic, own);
      const unsubscribe = (() => {
        handlers.remove(topic, own);
      }) as Subscription;
      unsubscribe.ready = Promise.resolve();
      return unsubscribe;
    },
    async check() {
      if (closed) throw new Error('The event bus is closed');
    },
    async close() {
      closed = true;
      handlers.clear();
    },
  };
}
