export * from './finding.js';
export * from './config-checks.js';
export * from './probe-checks.js';
export * from './doctor.js';
export * from './honeychecker-checks.js';
