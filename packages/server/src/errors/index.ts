export * from './codes.js';
export * from './app-error.js';
export * from './error-handler.js';
