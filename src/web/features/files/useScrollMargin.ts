import { useLayoutEffect, useState, type RefObject } from 'react';

/**
 * How far below the top of the page an element starts: a list virtualized against the window
 * needs it (its `scrollMargin`). Measured again after every render and whenever the page
 * changes size, since a panel above the list (uploads, an error) moves it down.
 */
export function useScrollMargin(ref: RefObject<HTMLElement | null>): number {
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const measure = () => {
      const el = ref.current;
      if (!el) return;
      const top = Math.round(el.getBoundingClientRect().top + window.scrollY);
      setMargin((m) => (m === top ? m : top));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  });
  return margin;
}
