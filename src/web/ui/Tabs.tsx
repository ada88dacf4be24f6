import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabItem {
  id: string;
  label: string;
}

/**
 * WAI-ARIA tabs: arrow keys move between tabs (automatic activation), Home/End jump.
 * The panel is rendered by the caller as `children` for the selected tab.
 */
export function Tabs({ label, tabs, selected, onSelect, children, vertical }: { label: string; tabs: TabItem[]; selected: string; onSelect: (id: string) => void; children: ReactNode; vertical?: boolean }) {
  const base = useId();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  // On narrow screens the tab list scrolls sideways: keep the selected tab in view.
  useEffect(() => {
    const el = refs.current[selected];
    const list = el?.parentElement;
    if (el && list && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = Math.max(0, el.offsetLeft - list.clientWidth / 2 + el.clientWidth / 2);
    }
  }, [selected]);
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const idx = tabs.findIndex((t) => t.id === selected);
    let next = -1;
    const prevKeys = vertical ? ['ArrowUp', 'ArrowLeft'] : ['ArrowLeft'];
    const nextKeys = vertical ? ['ArrowDown', 'ArrowRight'] : ['ArrowRight'];
    if (nextKeys.includes(e.key)) next = (idx + 1) % tabs.length;
    else if (prevKeys.includes(e.key)) next = (idx - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const tab = tabs[next]!;
    onSelect(tab.id);
    refs.current[tab.id]?.focus();
  };
  return (
    <div className={`tabs ${vertical ? 'tabs-vertical' : ''}`}>
      <div role="tablist" aria-label={label} aria-orientation={vertical ? 'vertical' : 'horizontal'} className="tablist" onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.id}`}
            aria-selected={t.id === selected}
            aria-controls={`${base}-panel`}
            tabIndex={t.id === selected ? 0 : -1}
            className="tab"
            onClick={() => onSelect(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${selected}`} className="tabpanel" tabIndex={0}>
        {children}
      </div>
    </div>
  );
}
