/** Anomaly alerts (issue 6, item 3; docs/operations.md "Anomaly alerts"). */
export * from './config.js';
export * from './detectors.js';
export * from './metrics-route.js';
export * from './register.js';
