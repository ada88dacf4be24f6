import { memo, useCallback, useEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type ReactNode } from 'react';
import { defaultRangeExtractor, useWindowVirtualizer, type Range } from '@tanstack/react-virtual';
import type { FileNode } from './api.js';
import { useScrollMargin } from './useScrollMargin.js';
import { controlsOf, leftAlone, rowTarget, useItemFocus } from './useItemFocus.js';

const PHONE = '(max-width: 760px)';
/** Rows the list keeps rendered beyond the screen, so a fast wheel or Tab finds them ready. */
const OVERSCAN = 12;
/** How far around the visible rows pages are fetched ahead (rows). */
const PREFETCH_BEHIND = 50;
const PREFETCH_AHEAD = 150;

const rowSelector = (index: number) => `tr[data-index="${index}"]`;

const indexOf = (target: EventTarget | null): number | null => {
  const row = (target as Element | null)?.closest?.('tr[data-index]');
  return row ? Number(row.getAttribute('data-index')) : null;
};

/** An empty row standing for the rows above or below the rendered ones; assistive technology skips it. */
function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <tr aria-hidden="true" className="virtual-spacer">
      <td colSpan={columns} style={{ height }} />
    </tr>
  );
}

/**
 * One row's cells, drawn again only when its item or the cell renderer changes: scrolling
 * re-renders the table on every frame, and most rows on screen stay the same.
 */
const RowCells = memo(function RowCells({ node, cells }: { node: FileNode; cells: (node: FileNode) => ReactNode }) {
  return <>{cells(node)}</>;
});

/**
 * The folder as a table virtualized against the window: only the rows on screen (and a few
 * around them) are in the DOM, while aria-rowcount/aria-rowindex tell assistive technology where
 * each row sits in the whole folder. The row holding the focus stays rendered when it scrolls
 * away, so keyboard focus is never dropped onto the page.
 *
 * Up and Down move focus to the same control (name link, menu button) of the previous or next
 * row, Home and End (with or without Ctrl) to the first or last row, scrolling the row into view
 * and waiting for its page when it is not loaded yet. Tab still walks every control, Enter still
 * opens, and an open row menu keeps its own arrow keys.
 */
export function VirtualFileTable({
  caption,
  header,
  columns,
  total,
  itemAt,
  ensure,
  cells,
  loadingLabel,
}: {
  caption: string;
  header: ReactNode;
  columns: number;
  total: number;
  itemAt: (index: number) => FileNode | undefined;
  ensure: (start: number, end: number) => void;
  cells: (node: FileNode) => ReactNode;
  loadingLabel: string;
}) {
  const body = useRef<HTMLTableSectionElement>(null);
  const focused = useRef<number | null>(null);
  const scrollMargin = useScrollMargin(body);

  const rangeExtractor = useCallback((range: Range) => {
    const indexes = defaultRangeExtractor(range);
    const f = focused.current;
    if (f !== null && f < range.count && !indexes.includes(f)) return [...indexes, f].sort((a, b) => a - b);
    return indexes;
  }, []);

  // Stable callbacks: a new one on every scroll frame would make the virtualizer lay out all rows again.
  // Read once: the virtualizer asks for every one of the rows, and matchMedia is slow. Rows are not
  // measured: spacer rows hold the place of the others, so a row taller than the estimate (a long
  // name wrapping) only shifts the scrollbar a little, while measuring forced a table layout per row.
  const [estimate] = useState(() => (window.matchMedia(PHONE).matches ? 62 : 46));
  const estimateSize = useCallback(() => estimate, [estimate]);
  const getItemKey = useCallback((i: number) => itemAt(i)?.id ?? `row-${i}`, [itemAt]);
  const virtualizer = useWindowVirtualizer({ count: total, estimateSize, overscan: OVERSCAN, scrollMargin, rangeExtractor, getItemKey });

  const start = virtualizer.range?.startIndex ?? 0;
  const end = virtualizer.range?.endIndex ?? 0;
  useEffect(() => {
    if (total > 0) ensure(start - PREFETCH_BEHIND, end + PREFETCH_AHEAD);
  }, [start, end, total, ensure]);

  const keyFocus = useItemFocus(body, rowSelector);

  const onFocus = (e: FocusEvent<HTMLTableSectionElement>) => {
    focused.current = indexOf(e.target);
    keyFocus.forget();
  };
  const onBlur = (e: FocusEvent<HTMLTableSectionElement>) => {
    const to = e.relatedTarget as Node | null;
    if (!body.current?.contains(to)) focused.current = null;
    // Focus dropped (null) when the page re-rendered; only a real move elsewhere cancels a pending one.
    if (to && !body.current?.contains(to)) keyFocus.forget();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    const row = (e.target as Element).closest('tr[data-index]');
    if (!row || leftAlone(e) || total === 0) return;
    const from = keyFocus.pending.current?.index ?? Number(row.getAttribute('data-index'));
    const index = rowTarget(e.key, from, total);
    if (index === null) return;
    // Taken even at either end, so the page does not scroll away from the focused row.
    e.preventDefault();
    if (index === from) return;
    const control = keyFocus.pending.current?.control ?? Math.max(0, controlsOf(row).indexOf(e.target as HTMLElement));
    // The first row shows from the top of the page, headings included, as Home on the page would.
    const scroll = () => (index === 0 ? window.scrollTo(0, 0) : virtualizer.scrollToIndex(index));
    if (index === 0) scroll();
    keyFocus.moveTo({ index, control }, scroll);
  };

  const rows: ReactNode[] = [];
  let cursor = scrollMargin;
  for (const item of virtualizer.getVirtualItems()) {
    if (item.start > cursor) rows.push(<Spacer key={`gap-${item.index}`} height={item.start - cursor} columns={columns} />);
    const node = itemAt(item.index);
    rows.push(
      <tr key={item.key} data-index={item.index} aria-rowindex={item.index + 2} className={node ? undefined : 'row-loading'}>
        {node ? (
          <RowCells node={node} cells={cells} />
        ) : (
          <td colSpan={columns}>
            <span className="muted small">{loadingLabel}</span>
          </td>
        )}
      </tr>,
    );
    cursor = item.end;
  }
  const bottom = scrollMargin + virtualizer.getTotalSize();
  if (bottom > cursor) rows.push(<Spacer key="gap-end" height={bottom - cursor} columns={columns} />);

  return (
    <div className="files-table-wrap">
      <table className="table files-table" aria-rowcount={total + 1}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr aria-rowindex={1}>{header}</tr>
        </thead>
        <tbody ref={body} onFocus={onFocus} onBlur={onBlur} onKeyDown={onKeyDown}>
          {rows}
        </tbody>
      </table>
    </div>
  );
}
