/** The audit trail (issue 6; docs/operations.md "Audit trail"). */
export * from './actions.js';
export * from './hook.js';
export * from './queries.js';
export * from './recorder.js';
export * from './request-facts.js';
