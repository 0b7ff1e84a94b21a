/**
 * The app's languages: i18next with the English and German texts bundled (a few KB each, so no
 * loading step and no flash of English). The language is the one the person chose on the More
 * page, remembered in localStorage; on a first visit, the first of the browser's languages
 * (navigator.languages) that we have; otherwise English. A key missing from a language falls back
 * to the English text, never to the raw key.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { de } from './locales/de.js';
import { en } from './locales/en.js';

/** Each language's own name for itself, as the language picker shows it. */
export const LANGUAGES = { en: 'English', de: 'Deutsch' } as const;
export type Language = keyof typeof LANGUAGES;

const STORAGE_KEY = 'burrow.language';

function isLanguage(code: string | null | undefined): code is Language {
  return typeof code === 'string' && Object.hasOwn(LANGUAGES, code);
}

/**
 * The stored choice when there is one, else the first browser language we have by its primary
 * subtag ("de-AT" → de), else English.
 */
export function chooseLanguage(stored: string | null, preferred: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage blocked by the browser's settings: the choice lasts for this page only
  }
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages.length > 0 ? navigator.languages : [navigator.language];
}

/** `<html lang>` follows the language, so screen readers pronounce the page right. */
function markDocument(language: string): void {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

export const i18n = i18next.createInstance();
i18n.on('languageChanged', markDocument);
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, de: { translation: de } },
  lng: chooseLanguage(storage()?.getItem(STORAGE_KEY) ?? null, browserLanguages()),
  fallbackLng: 'en',
  supportedLngs: Object.keys(LANGUAGES),
  // Bundled resources: ready before the first render.
  initAsync: false,
  // React escapes what it renders; escaping here too would show "&amp;" in names.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** The language in use now. */
export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}

/** Switches the language everywhere and remembers it for the next visit. */
export async function setLanguage(language: Language): Promise<void> {
  storage()?.setItem(STORAGE_KEY, language);
  await i18n.changeLanguage(language);
}

/** Shorthand for code outside React components (error texts, formatters). */
export const t = i18n.t.bind(i18n);
