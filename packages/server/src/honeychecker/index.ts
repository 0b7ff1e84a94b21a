/** The honeychecker: which sweetword is real and which records are canaries, outside the main database. */
export * from './store.js';
export * from './secret.js';
