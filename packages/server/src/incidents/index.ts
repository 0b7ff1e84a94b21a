export * from './notice.js';
export * from './report.js';
export * from './service.js';
