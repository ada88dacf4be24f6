import { describe, expect, it } from 'vitest';
import { readableSecret } from './tokens.js';

describe('readable secrets (app passwords)', () => {
  it('are 8 groups of 5 letters and digits joined by "-", never starting with "-", and all different', () => {
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const s = readableSecret();
      expect(s).toMatch(/^([A-Za-z0-9]{5}-){7}[A-Za-z0-9]{5}$/);
      seen.add(s);
      for (const c of s.replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(seen.size).toBe(2000);
    // 80,000 characters over 62 symbols (~1290 each): every symbol shows up, none dominates.
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(1000);
    for (const n of counts.values()) expect(n).toBeLessThan(1600);
  });
});
