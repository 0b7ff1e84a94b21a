export * from './checked-file.js';
