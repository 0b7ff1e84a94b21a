/** @burrow/toy — the headless toy runtime (Node). */
export * from './file-store.js';
export * from './audio-io.js';
export * from './headless-toy.js';
