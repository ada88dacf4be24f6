import { useCallback, useEffect, useLayoutEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

/** Where the arrow keys sent focus: an item of the listing, and which of its controls (the same column as before). */
export interface FocusTarget {
  index: number;
  control: number;
}

/**
 * The row an arrow key sends focus to in a one-column list of `total` rows (the listbox pattern's
 * keys, with the grid pattern's Ctrl+Home/End accepted too); null for a key the list leaves alone.
 * Clamped at either end: Up on the first row stays there.
 */
export function rowTarget(key: string, from: number, total: number): number | null {
  const to = key === 'ArrowDown' ? from + 1 : key === 'ArrowUp' ? from - 1 : key === 'Home' ? 0 : key === 'End' ? total - 1 : null;
  return to === null ? null : Math.max(0, Math.min(total - 1, to));
}

/**
 * The card an arrow key sends focus to in `total` cards laid out `columns` to a row (the grid
 * pattern): Left/Right the previous/next card, flowing over row ends as the list reads; Up/Down
 * a row, Down from a column the shorter last row lacks landing on its last card; Home/End the
 * ends of the row, Ctrl+Home/End the first and last card. Null for a key the grid leaves alone.
 */
export function cardTarget(key: string, ctrl: boolean, from: number, total: number, columns: number): number | null {
  const row = Math.floor(from / columns);
  const rowStart = row * columns;
  const lastRow = Math.floor((total - 1) / columns);
  let to: number;
  if (key === 'ArrowRight') to = from + 1;
  else if (key === 'ArrowLeft') to = from - 1;
  else if (key === 'ArrowDown') to = row < lastRow ? Math.min(total - 1, from + columns) : from;
  else if (key === 'ArrowUp') to = row > 0 ? from - columns : from;
  else if (key === 'Home') to = ctrl ? 0 : rowStart;
  else if (key === 'End') to = ctrl ? total - 1 : Math.min(total - 1, rowStart + columns - 1);
  else return null;
  return Math.max(0, Math.min(total - 1, to));
}

/** The controls Tab reaches inside one row or card; the items of an open row menu belong to the menu. */
export function controlsOf(item: Element): HTMLElement[] {
  return Array.from(item.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])')).filter(
    (c) => !c.closest('.rowmenu-panel'),
  );
}

/**
 * Keys the listing must not take: another widget already used it (an open row menu moves within
 * itself), a field is being typed in, or a chord the browser or assistive technology owns.
 * Ctrl is accepted with Home and End only (the grid pattern's first and last cell).
 */
export function leftAlone(e: KeyboardEvent<HTMLElement>): boolean {
  if (e.defaultPrevented || e.altKey || e.metaKey || e.shiftKey) return true;
  if (e.ctrlKey && e.key !== 'Home' && e.key !== 'End') return true;
  const target = e.target as HTMLElement;
  return Boolean(target.closest('.rowmenu-panel, input, textarea, select, [contenteditable="true"]'));
}

/**
 * Moves keyboard focus to an item of a virtualized listing that may not be in the page yet: the
 * target is remembered, the listing scrolls to it, and focus lands on it in the first render where
 * it has content (its page may still be on its way). Until then focus stays where it was, so a
 * second key press counts from the target rather than from the old item.
 */
export function useItemFocus(root: RefObject<HTMLElement | null>, selectorOf: (index: number) => string) {
  const pending = useRef<FocusTarget | null>(null);

  const tryFocus = useCallback(() => {
    const p = pending.current;
    if (!p) return;
    const item = root.current?.querySelector(selectorOf(p.index));
    const controls = item ? controlsOf(item) : [];
    const control = controls[Math.min(p.control, controls.length - 1)];
    if (!item || !control) return;
    // Cleared first: the focus event that follows must not read it as the person going elsewhere.
    pending.current = null;
    control.focus({ preventScroll: true });
    // Nearest, so a step of one row scrolls by one row; the item's scroll-margin keeps it clear of the top bar.
    item.scrollIntoView({ block: 'nearest' });
  }, [root, selectorOf]);

  // Every render: the target may have just been rendered, or its page may have just arrived.
  useLayoutEffect(tryFocus);

  // A click anywhere means the person chose another place; a late page must not pull focus back.
  useEffect(() => {
    const forget = () => {
      pending.current = null;
    };
    window.addEventListener('pointerdown', forget, true);
    return () => window.removeEventListener('pointerdown', forget, true);
  }, []);

  const moveTo = useCallback(
    (target: FocusTarget, scrollTo: () => void) => {
      pending.current = target;
      tryFocus();
      if (pending.current) scrollTo();
    },
    [tryFocus],
  );

  const forget = useCallback(() => {
    pending.current = null;
  }, []);

  return { pending, moveTo, forget };
}
