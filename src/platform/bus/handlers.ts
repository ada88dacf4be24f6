import type { Logger } from '../log/logger.js';

type Handler = (payload: unknown) => void;

/** The local fan-out both buses share: one failing handler must not starve the others. */
export class HandlerTable {
  private readonly byTopic = new Map<string, Set<Handler>>();

  constructor(private readonly log: Logger) {}

  /** Returns true when this is the topic's first handler. */
  add(topic: string, handler: Handler): boolean {
    let set = this.byTopic.get(topic);
    const first = !set;
    if (!set) {
      set = new Set();
      this.byTopic.set(topic, set);
    }
    set.add(handler);
    return first;
  }

  /** Returns true when the topic has no handler left. */
  remove(topic: string, handler: Handler): boolean {
    const set = this.byTopic.get(topic);
    if (!set) return false;
    set.delete(handler);
    if (set.size > 0) return false;
    this.byTopic.delete(topic);
    return true;
  }

  has(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  deliver(topic: string, payload: unknown): void {
    const set = this.byTopic.get(topic);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(payload);
      } catch (e) {
        this.log.error({ err: e, topic }, 'event handler failed');
      }
    }
  }

  clear(): void {
    this.byTopic.clear();
  }
}
