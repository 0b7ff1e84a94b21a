import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, currentLanguage, setLanguage, type Language } from '../../i18n/index.js';

/**
 * Chooses the app's language; the choice is remembered in this browser. `compact` is the header's
 * form on the signed-out pages (its label read out, not shown); otherwise a labelled field for More.
 */
export function LanguagePicker({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const current = i18n.language in LANGUAGES ? (i18n.language as Language) : currentLanguage();
  const select = (
    <select
      id={id}
      className="language-picker"
      value={current}
      aria-label={compact ? t('language.label') : undefined}
      onChange={(e) => void setLanguage(e.target.value as Language)}
    >
      {Object.entries(LANGUAGES).map(([code, name]) => (
        // Each language's name in itself, marked so a screen reader pronounces it in that language.
        <option key={code} value={code} lang={code}>
          {name}
        </option>
      ))}
    </select>
  );
  if (compact) return <span className="language-compact">{select}</span>;
  return (
    <div className="field language-field">
      <label htmlFor={id}>{t('language.label')}</label>
      {select}
    </div>
  );
}
