import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type ReactNode } from 'react';
import { defaultRangeExtractor, useWindowVirtualizer, type Range } from '@tanstack/react-virtual';
import type { FileNode } from './api.js';
import { useScrollMargin } from './useScrollMargin.js';
import { cardTarget, controlsOf, leftAlone, useItemFocus } from './useItemFocus.js';

const OVERSCAN = 3;
/** A focused card this many rows away from the screen is let go rather than rendering every row between. */
const KEEP_FOCUS_ROWS = 40;
const PREFETCH_BEHIND = 50;
const PREFETCH_AHEAD = 150;

/** Columns the CSS grid fits (the same rule as `repeat(auto-fill, minmax(--card-min, 1fr))`). */
function columnsOf(list: HTMLElement): number {
  const style = getComputedStyle(list);
  const min = parseFloat(style.getPropertyValue('--card-min')) || 150;
  const gap = parseFloat(style.columnGap) || 0;
  return Math.max(1, Math.floor((list.clientWidth + gap) / (min + gap)));
}

const cardSelector = (index: number) => `li[aria-posinset="${index + 1}"]`;

/** One card's content, drawn again only when its item or the renderer changes (not on every scroll frame). */
const CardContent = memo(function CardContent({ node, card }: { node: FileNode; card: (node: FileNode) => ReactNode }) {
  return <>{card(node)}</>;
});

/**
 * The folder as cards, virtualized by rows of cards against the window: the list's padding
 * stands for the rows above and below, and aria-setsize/aria-posinset give each card its place
 * in the whole folder. Thumbnails load only for the cards that are rendered.
 *
 * Arrow keys move focus between cards as in the WAI-ARIA grid pattern, to the same control of
 * the next card: Left and Right to the previous and next card (flowing over row ends as the list
 * does), Up and Down a row, Home and End to the ends of the row, Ctrl+Home and Ctrl+End to the
 * first and last card. A card not in the page yet is scrolled to and focused once it has content.
 */
export function VirtualFileGrid({
  label,
  total,
  itemAt,
  ensure,
  card,
  loadingLabel,
}: {
  label: string;
  total: number;
  itemAt: (index: number) => FileNode | undefined;
  ensure: (start: number, end: number) => void;
  card: (node: FileNode) => ReactNode;
  loadingLabel: string;
}) {
  const list = useRef<HTMLUListElement>(null);
  const focusedRow = useRef<number | null>(null);
  // Null until the list is in the page: no card is laid out with a guessed column count.
  const [columns, setColumns] = useState<number | null>(null);
  // A card's height and the gap under it; a row of the virtualizer is both.
  const [size, setSize] = useState({ card: 208, gap: 12 });
  const rowHeight = size.card + size.gap;
  const scrollMargin = useScrollMargin(list);

  // Columns follow the list's width: measured in a layout effect, so the first cards are drawn
  // (and the page's height is right) before the first paint; later widths through the observer.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const measure = () => setColumns(columnsOf(el));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // The row height follows a card with content, read after every render and before the paint
  // (cards grow and shrink with the column width): a height learned a frame late made an End
  // pressed at once land short of the bottom.
  useLayoutEffect(() => {
    const el = list.current;
    const card = el?.querySelector<HTMLElement>(':scope > li.files-card:not(.card-loading)');
    if (!el || !card) return;
    const h = Math.round(card.getBoundingClientRect().height);
    const gap = parseFloat(getComputedStyle(el).rowGap) || 0;
    if (h > 0) setSize((old) => (old.card === h && old.gap === gap ? old : { card: h, gap }));
  });

  const rangeExtractor = useCallback((range: Range) => {
    const indexes = defaultRangeExtractor(range);
    const f = focusedRow.current;
    if (f === null || f >= range.count || indexes.includes(f)) return indexes;
    const lo = Math.min(indexes[0] ?? f, f);
    const hi = Math.max(indexes[indexes.length - 1] ?? f, f);
    if (hi - lo > KEEP_FOCUS_ROWS + indexes.length) return indexes;
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }, []);

  const cols = columns ?? 1;
  const rowCount = columns === null ? 0 : Math.ceil(total / columns);
  const estimateSize = useCallback(() => rowHeight, [rowHeight]);
  const virtualizer = useWindowVirtualizer({ count: rowCount, estimateSize, overscan: OVERSCAN, scrollMargin, rangeExtractor });
  // Before the paint too: the virtualizer keeps its sizes until told they changed.
  useLayoutEffect(() => virtualizer.measure(), [rowHeight, columns, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  const start = (virtualizer.range?.startIndex ?? 0) * cols;
  const end = ((virtualizer.range?.endIndex ?? 0) + 1) * cols - 1;
  useEffect(() => {
    if (total > 0 && columns !== null) ensure(start - PREFETCH_BEHIND, end + PREFETCH_AHEAD);
  }, [start, end, total, columns, ensure]);

  const keyFocus = useItemFocus(list, cardSelector);

  const onFocus = (e: FocusEvent<HTMLUListElement>) => {
    keyFocus.forget();
    const li = (e.target as Element).closest('li[aria-posinset]');
    focusedRow.current = li ? Math.floor((Number(li.getAttribute('aria-posinset')) - 1) / cols) : null;
  };
  const onBlur = (e: FocusEvent<HTMLUListElement>) => {
    const to = e.relatedTarget as Node | null;
    if (!list.current?.contains(to)) focusedRow.current = null;
    // Focus dropped (null) when its card was let go far away; only a real move elsewhere cancels a pending one.
    if (to && !list.current?.contains(to)) keyFocus.forget();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const li = (e.target as Element).closest('li[aria-posinset]');
    if (!li || leftAlone(e) || total === 0 || columns === null) return;
    const from = keyFocus.pending.current?.index ?? Number(li.getAttribute('aria-posinset')) - 1;
    const index = cardTarget(e.key, e.ctrlKey, from, total, columns);
    if (index === null) return;
    e.preventDefault();
    if (index === from) return;
    const control = keyFocus.pending.current?.control ?? Math.max(0, controlsOf(li).indexOf(e.target as HTMLElement));
    const row = Math.floor(index / columns);
    // Arriving on the first row shows it from the top of the page, headings included, as Home on the page would.
    const scroll = () => (row === 0 ? window.scrollTo(0, 0) : virtualizer.scrollToIndex(row));
    if (row === 0 && from >= columns) scroll();
    keyFocus.moveTo({ index, control }, scroll);
  };

  const cards: ReactNode[] = [];
  // A card still loading is as tall as one with content, so the rows keep the height the virtualizer
  // counts with and nothing moves when its page arrives.
  if (first && last) {
    for (let i = first.index * cols; i < Math.min(total, (last.index + 1) * cols); i++) {
      const node = itemAt(i);
      cards.push(
        <li
          key={node?.id ?? `card-${i}`}
          className={node ? 'files-card' : 'files-card card-loading'}
          style={node ? undefined : { minHeight: size.card }}
          aria-setsize={total}
          aria-posinset={i + 1}
        >
          {node ? <CardContent node={node} card={card} /> : <span className="muted small">{loadingLabel}</span>}
        </li>,
      );
    }
  }
  const paddingTop = first ? first.start - scrollMargin : 0;
  const paddingBottom = last ? Math.max(0, virtualizer.getTotalSize() - (last.end - scrollMargin)) : 0;

  return (
    <ul
      ref={list}
      className="files-grid"
      aria-label={label}
      style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, paddingTop, paddingBottom }}
      onFocus={onFocus}
      onBlur={onBlur}
      onKeyDown={onKeyDown}
    >
      {cards}
    </ul>
  );
}
