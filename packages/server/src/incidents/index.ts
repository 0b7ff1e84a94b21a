export * from './forced-reset.js';
export * from './inbox.js';
export * from './notice.js';
export * from './report.js';
export * from './routes.js';
export * from './service.js';
export { fadeRevokedCredentialIps, sealClearNoticeEmails } from './store.js';
