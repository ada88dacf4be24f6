import { useTranslation } from 'react-i18next';
import { useFormat } from '../../app/format.js';

/**
 * The app's formatters, with dates in the browser's own regional variant when it speaks the UI
 * language (en-GB shows 23 Nov 2026, 22:18; en-US Nov 23, 2026, 10:18 PM).
 */
// One formatter per locale: building an Intl.DateTimeFormat costs far more than using one, and a
// scrolling listing formats dates for every row it draws.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(locale: string): Intl.DateTimeFormat {
  let f = dateTimeFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    dateTimeFormats.set(locale, f);
  }
  return f;
}

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
        return dateTimeFormat(regional).format(d);
      } catch {
        return base.dateTime(v);
      }
    },
  };
}
