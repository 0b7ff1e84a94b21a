/** The honeychecker: which sweetword is real and which records are canaries, outside the main database. */
export * from './store.js';
export * from './config.js';
export * from './secret.js';
export * from './api-auth.js';
export * from './remote.js';
export * from './service.js';
