import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { IconMore } from './icons.js';

export interface MenuAction {
  id: string;
  label: string;
  icon?: ReactNode;
  danger?: boolean;
  /** A link (download) instead of a button. */
  href?: string;
  /** With `href`: opens the page in a new tab instead of downloading. */
  newTab?: boolean;
  onSelect?: () => void;
}

/**
 * The actions of one item behind a "more" button (a disclosure of buttons and links): arrow
 * keys move within it, Escape closes it and returns focus to its button.
 */
export function RowMenu({ label, actions }: { label: string; actions: MenuAction[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const id = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  const items = () => Array.from(wrap.current?.querySelectorAll<HTMLElement>('.rowmenu-panel a, .rowmenu-panel button') ?? []);

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const onDoc = (e: globalThis.MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [open]);

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && open) {
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
      return;
    }
    if (!open || !['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    const list = items();
    const idx = list.indexOf(document.activeElement as HTMLElement);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1 : e.key === 'ArrowDown' ? (idx + 1) % list.length : (idx - 1 + list.length) % list.length;
    list[next]?.focus();
  };

  return (
    <div className="rowmenu" ref={wrap} onKeyDown={onKey}>
      <button ref={button} type="button" className="icon-btn rowmenu-button" aria-expanded={open} aria-controls={id} aria-label={label} title={t('common.actions')} onClick={() => setOpen((o) => !o)}>
        <IconMore />
      </button>
      <ul id={id} className="rowmenu-panel" hidden={!open}>
        {actions.map((a) => (
          <li key={a.id}>
            {a.href ? (
              <a href={a.href} {...(a.newTab ? { target: '_blank', rel: 'noopener' } : { download: true })} onClick={() => setOpen(false)}>
                {a.icon}
                {a.label}
              </a>
            ) : (
              <button
                type="button"
                className={a.danger ? 'rowmenu-danger' : undefined}
                onClick={() => {
                  // Focus goes back to the menu button first, so a dialog opened now returns it there.
                  setOpen(false);
                  button.current?.focus();
                  a.onSelect?.();
                }}
              >
                {a.icon}
                {a.label}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
