import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { fr } from './fr.js';
import { de } from './de.js';
import { nl } from './nl.js';
import type { Language } from '../app/types.js';

export const LANGUAGES: readonly Language[] = ['en', 'fr', 'de', 'nl'];

/** Each language's own name, so people find theirs whatever the current language is. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'Français', de: 'Deutsch', nl: 'Nederlands' };

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** The first of the browser's preferred languages that Tessera speaks, else English. */
export function browserLanguage(): Language {
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const p of prefs) {
    const base = p?.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

function applyLang(lng: string): void {
  document.documentElement.lang = lng;
}

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr }, de: { translation: de }, nl: { translation: nl } },
  lng: browserLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
applyLang(i18n.language);
i18n.on('languageChanged', applyLang);

export async function setLanguage(lng: Language | null): Promise<void> {
  const target = lng ?? browserLanguage();
  if (i18n.language !== target) await i18n.changeLanguage(target);
}
