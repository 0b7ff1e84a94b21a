// zxcvbn-ts scoring in a worker thread (password-strength.ts starts it). One check costs 150-600 ms
// of CPU (Levenshtein distance against every dictionary): on the main thread that blocked every
// delivery, socket and timer for as long (issue #10, #11).
//
// Plain JavaScript on purpose: this file is loaded by path, both under tsx (development, tests) and
// beside the compiled bundle in production (scripts/build-server.mjs keeps import.meta.url pointing
// at src/), so it must need no TypeScript loader. It imports only the @zxcvbn-ts packages.
//
// Messages: in { id, password, inputs }; out { id, score, warning, suggestions } or { id, error }.
import { parentPort } from 'node:worker_threads';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as common } from '@zxcvbn-ts/language-common';
import { dictionary as english, translations } from '@zxcvbn-ts/language-en';

// The options the policy has always used: common and English dictionaries, English feedback.
const zxcvbn = new ZxcvbnFactory({
  translations,
  graphs: adjacencyGraphs,
  dictionary: { ...common, ...english },
  useLevenshteinDistance: true,
});

parentPort?.on('message', (job) => {
  const { id, password, inputs } = job;
  try {
    const result = zxcvbn.check(String(password), Array.isArray(inputs) ? inputs.map(String) : []);
    parentPort?.postMessage({
      id,
      score: result.score,
      warning: result.feedback.warning,
      suggestions: result.feedback.suggestions,
    });
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
