import { useTranslation } from 'react-i18next';
import { useFormat } from '../../app/format.js';

/**
 * The app's formatters, with dates in the browser's own regional variant when it speaks the UI
 * language (en-GB shows 23 Nov 2026, 22:18; en-US Nov 23, 2026, 10:18 PM).
 */
export function useFilesFormat() {
  const { i18n } = useTranslation();
  const base = useFormat();
  const lang = i18n.language;
  const prefs = typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  const regional = prefs.find((p) => p?.toLowerCase().split('-')[0] === lang) ?? lang;
  return {
    ...base,
    dateTime(v: string | null | undefined): string {
      if (!v) return '—';
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) return String(v);
      try {
        return new Intl.DateTimeFormat(regional, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
      } catch {
        return base.dateTime(v);
      }
    },
  };
}
