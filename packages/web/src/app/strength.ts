/**
 * Password strength, loaded on demand (its dictionaries are most of its size): zxcvbn-ts with the
 * common-password and diceware dictionaries (about 100 kB gzipped), with English feedback.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as common } from '@zxcvbn-ts/language-common';
import { translations } from '@zxcvbn-ts/language-en';

const factory = new ZxcvbnFactory({
  translations,
  graphs: adjacencyGraphs,
  dictionary: common,
  useLevenshteinDistance: true,
});

export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
}

export function checkStrength(password: string, userInputs: string[]): Strength {
  const result = factory.check(password, userInputs);
  return { score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions };
}
