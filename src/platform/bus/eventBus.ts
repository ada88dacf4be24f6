/** Calling it unsubscribes; `ready` resolves once events published elsewhere reach the handler. */
export interface Subscription {
  (): void;
  ready: Promise<void>;
}

/**
 * Publish/subscribe between the parts of Tessera, and between Tessera processes when Redis is
 * configured. Delivery is at-most-once and for live notifications only; durable work goes
 * through the job queue. Payloads travel as JSON, so pass plain data.
 */
export interface EventBus {
  readonly kind: 'memory' | 'redis';
  publish(topic: string, payload: unknown): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(topic: string, handler: (payload: unknown) => void): Subscription;
  check(): Promise<void>;
  close(): Promise<void>;
}
