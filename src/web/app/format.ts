import { useTranslation } from 'react-i18next';

/** Locale-aware formatting for dates and sizes, in the current UI language. */
export function useFormat() {
  const { i18n } = useTranslation();
  const lng = i18n.language;
  return {
    dateTime(v: string | number | Date | null | undefined): string {
      if (v === null || v === undefined || v === '') return '—';
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) return String(v);
      return new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    },
    time(v: Date): string {
      return new Intl.DateTimeFormat(lng, { timeStyle: 'short' }).format(v);
    },
    bytes(n: number | null | undefined): string {
      if (n === null || n === undefined) return '—';
      const units = ['B', 'KB', 'MB', 'GB', 'TB'];
      let i = 0;
      let v = n;
      while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
      }
      return `${new Intl.NumberFormat(lng, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
    },
    number(n: number): string {
      return new Intl.NumberFormat(lng).format(n);
    },
    duration(seconds: number): string {
      const d = Math.floor(seconds / 86400);
      const h = Math.floor((seconds % 86400) / 3600);
      const m = Math.floor((seconds % 3600) / 60);
      return [d ? `${d} d` : '', h ? `${h} h` : '', `${m} min`].filter(Boolean).join(' ');
    },
  };
}
