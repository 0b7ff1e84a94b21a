/**
 * Password strength, loaded on demand (its dictionaries are most of its size: about 850 kB gzipped
 * with the English dictionary, fetched only by the pages with a new password). The score comes from
 * the same zxcvbn-ts options as the server's policy (packages/server/src/accounts/
 * password-strength.worker.mjs: the common and English dictionaries, Levenshtein distance), so the
 * meter never calls a password good that the server will refuse as easy to guess; only the advice
 * text follows the page's language (English or German, from the zxcvbn-ts language packs — their
 * translations only: a German dictionary would score differently from the server).
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as common } from '@zxcvbn-ts/language-common';
import { translations as german } from '@zxcvbn-ts/language-de';
import { dictionary as english, translations as englishTexts } from '@zxcvbn-ts/language-en';

const TRANSLATIONS = { en: englishTexts, de: german } as const;
type Language = keyof typeof TRANSLATIONS;

const factories = new Map<Language, ZxcvbnFactory>();
function factory(language: Language): ZxcvbnFactory {
  let made = factories.get(language);
  if (!made) {
    made = new ZxcvbnFactory({
      translations: TRANSLATIONS[language],
      graphs: adjacencyGraphs,
      dictionary: { ...common, ...english },
      useLevenshteinDistance: true,
    });
    factories.set(language, made);
  }
  return made;
}

export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
}

/** The score the server would give `password`, with advice in `language` (English when unknown). */
export function checkStrength(password: string, userInputs: string[], language = 'en'): Strength {
  const result = factory(language === 'de' ? 'de' : 'en').check(password, userInputs);
  return { score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions };
}
