import type { Logger } from '../log/logger.js';
import type { EventBus } from './eventBus.js';
import { createMemoryBus } from './memoryBus.js';

export async function createEventBus(redisUrl: string | undefined, log: Logger, opts: { prefix?: string } = {}): Promise<EventBus> {
  if (!redisUrl) return createMemoryBus(log);
  // Loaded lazily so the embedded default never opens a Redis client.
  const { createRedisBus } = await import('./redisBus.js');
  return createRedisBus(redisUrl, log, opts);
}
