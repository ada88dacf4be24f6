import { describe, expect, it } from 'vitest';
import { cardTarget, rowTarget } from './useItemFocus.js';

describe('rowTarget (the list of rows)', () => {
  it('moves one row up or down, and Home/End to the first and last row', () => {
    expect(rowTarget('ArrowDown', 499, 10_000)).toBe(500);
    expect(rowTarget('ArrowUp', 500, 10_000)).toBe(499);
    expect(rowTarget('Home', 7_000, 10_000)).toBe(0);
    expect(rowTarget('End', 3, 10_000)).toBe(9_999);
  });

  it('stays on the row at either end', () => {
    expect(rowTarget('ArrowUp', 0, 10)).toBe(0);
    expect(rowTarget('ArrowDown', 9, 10)).toBe(9);
    expect(rowTarget('End', 0, 1)).toBe(0);
  });

  it('leaves other keys alone', () => {
    for (const key of ['ArrowLeft', 'ArrowRight', 'Enter', 'PageDown', ' ', 'a']) expect(rowTarget(key, 3, 10)).toBeNull();
  });
});

describe('cardTarget (cards laid out in rows)', () => {
  // 10 cards, 4 to a row: 0-3, 4-7, 8-9.
  const at = (key: string, from: number, ctrl = false) => cardTarget(key, ctrl, from, 10, 4);

  it('moves to the previous or next card, flowing over the ends of rows', () => {
    expect(at('ArrowRight', 0)).toBe(1);
    expect(at('ArrowRight', 3)).toBe(4);
    expect(at('ArrowLeft', 4)).toBe(3);
    expect(at('ArrowLeft', 0)).toBe(0);
    expect(at('ArrowRight', 9)).toBe(9);
  });

  it('moves a row up or down in the same column, and stays on the first or last row', () => {
    expect(at('ArrowDown', 1)).toBe(5);
    expect(at('ArrowUp', 5)).toBe(1);
    expect(at('ArrowUp', 2)).toBe(2);
    expect(at('ArrowDown', 9)).toBe(9);
  });

  it('goes down to the last card when the shorter last row lacks the column', () => {
    expect(at('ArrowDown', 7)).toBe(9);
    expect(at('ArrowDown', 5)).toBe(9);
    expect(at('ArrowDown', 4)).toBe(8);
  });

  it('takes Home/End to the ends of the row and Ctrl+Home/End to the first and last card', () => {
    expect(at('Home', 6)).toBe(4);
    expect(at('End', 5)).toBe(7);
    expect(at('End', 8)).toBe(9);
    expect(at('Home', 6, true)).toBe(0);
    expect(at('End', 1, true)).toBe(9);
  });

  it('leaves other keys alone', () => {
    expect(at('Enter', 3)).toBeNull();
    expect(at('PageUp', 3)).toBeNull();
  });
});
