/**
 * The password checker on a worker thread: with the server's English dictionary a check costs about
 * 140 ms of CPU (30-320 ms measured on a loaded 2-core machine), which on the page's own thread
 * would stall every keystroke. Messages: in { id, password, inputs, language }; out { id, ...Strength }.
 */
import { checkStrength } from './strength.js';

interface Job {
  id: number;
  password: string;
  inputs: string[];
  language: string;
}

// The DOM typings describe a window; a dedicated worker's global posts without a target origin.
const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: MessageEvent<Job>) => void): void;
  postMessage(message: unknown): void;
};

scope.addEventListener('message', (event) => {
  const { id, password, inputs, language } = event.data;
  scope.postMessage({ id, ...checkStrength(password, inputs, language) });
});
