import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../log/logger.js';
import { STACK, testConfig } from '../../test-support/stack.js';
import type { EventBus } from './eventBus.js';
import { createEventBus } from './createEventBus.js';

const log = createLogger('silent');

/** Resolves with the next payload on `topic`, or rejects after `ms`. */
function next(bus: EventBus, topic: string, ms = 5000): { ready: Promise<void>; value: Promise<unknown> } {
  let unsubscribe: () => void = () => {};
  let readyP: Promise<void> = Promise.resolve();
  const value = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no event on ${topic} within ${ms} ms`));
    }, ms);
    const sub = bus.subscribe(topic, (p) => {
      clearTimeout(timer);
      sub();
      resolve(p);
    });
    unsubscribe = sub;
    readyP = sub.ready;
  });
  return { ready: readyP, value };
}

const unique = (name: string) => `${name}.${randomBytes(4).toString('hex')}`;
const tick = (ms = 100) => new Promise((r) => setTimeout(r, ms));

describe(`event bus (${STACK} stack)`, () => {
  let bus: EventBus;
  let other: EventBus;

  beforeAll(async () => {
    const config = await testConfig();
    bus = await createEventBus(config.redisUrl, log);
    // A second bus on the same configuration: in one process on the embedded stack it is a
    // separate in-memory bus (so it sees nothing); on the server stack it shares Redis.
    other = await createEventBus(config.redisUrl, log);
  });
  afterAll(async () => {
    await bus.close();
    await other.close();
  });

  it('is the backend the stack configures and passes its check', async () => {
    expect(bus.kind).toBe(STACK === 'server' ? 'redis' : 'memory');
    await bus.check();
  });

  it('delivers JSON copies of payloads to every subscriber of the topic only', async () => {
    const topic = unique('t');
    const a = next(bus, topic);
    const b = next(bus, topic);
    const seenElsewhere: unknown[] = [];
    const elsewhere = bus.subscribe(unique('t'), (p) => seenElsewhere.push(p));
    await Promise.all([a.ready, b.ready, elsewhere.ready]);
    const payload = { n: 1, when: new Date('2026-01-01T00:00:00Z'), nested: { list: [1, 2] } };
    await bus.publish(topic, payload);
    const expected = { n: 1, when: '2026-01-01T00:00:00.000Z', nested: { list: [1, 2] } };
    expect(await a.value).toEqual(expected);
    expect(await b.value).toEqual(expected);
    expect(await a.value).not.toBe(payload);
    await tick();
    expect(seenElsewhere).toEqual([]);
    elsewhere();
  });

  it('stops delivering after unsubscribe and survives a throwing handler', async () => {
    const topic = unique('u');
    const got: unknown[] = [];
    const throwing = bus.subscribe(topic, () => {
      throw new Error('handler bug');
    });
    const sub = bus.subscribe(topic, (p) => got.push(p));
    await Promise.all([throwing.ready, sub.ready]);
    await bus.publish(topic, 1);
    await tick();
    sub();
    await bus.publish(topic, 2);
    await tick();
    expect(got).toEqual([1]);
    throwing();
  });

  it('shares events between buses only when Redis connects them', async () => {
    const topic = unique('x');
    const got: unknown[] = [];
    const sub = other.subscribe(topic, (p) => got.push(p));
    await sub.ready;
    await bus.publish(topic, { hello: 'other' });
    await tick(200);
    expect(got).toEqual(STACK === 'server' ? [{ hello: 'other' }] : []);
    sub();
  });

  it('keeps deployments with different prefixes apart', async () => {
    const config = await testConfig();
    const foreign = await createEventBus(config.redisUrl, log, { prefix: `other-deployment-${randomBytes(3).toString('hex')}:` });
    const topic = unique('p');
    const got: unknown[] = [];
    const sub = foreign.subscribe(topic, (p) => got.push(p));
    await sub.ready;
    await bus.publish(topic, 'not for you');
    await tick(200);
    expect(got).toEqual([]);
    await foreign.close();
  });

  it('an unreachable Redis stops startup at once, naming the setting', async () => {
    const started = Date.now();
    await expect(createEventBus('redis://127.0.0.1:1', log)).rejects.toThrow(/Redis at redis:\/\/127.0.0.1:1 is not reachable.*TESSERA_REDIS_URL/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses to publish once closed', async () => {
    const config = await testConfig();
    const short = await createEventBus(config.redisUrl, log);
    await short.close();
    await expect(short.publish('t', 1)).rejects.toThrow(/closed/);
    await expect(short.check()).rejects.toThrow(/closed/);
  });
});
