import { describe, expect, it } from 'vitest';
import { randomTag, timeOrderedId } from './ids.js';

describe('timeOrderedId', () => {
  it('is a version 7 UUID carrying the time, in the RFC 9562 layout', () => {
    const at = Date.UTC(2026, 10, 24, 8, 0, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sorts by time and never repeats within one millisecond', () => {
    const earlier = timeOrderedId(1_000);
    const later = timeOrderedId(2_000);
    expect(earlier < later).toBe(true);
    const same = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(5_000)));
    expect(same.size).toBe(10_000);
  });
});

describe('randomTag', () => {
  it('is 32 hex digits and differs every time', () => {
    const tags = new Set(Array.from({ length: 10_000 }, () => randomTag()));
    expect(tags.size).toBe(10_000);
    for (const t of [...tags].slice(0, 10)) expect(t).toMatch(/^[0-9a-f]{32}$/);
  });
});
