/** Inactive families: warned by mail, then deleted unless someone signs in (sweep.ts). */
export { INACTIVITY_DEFAULTS, InactivityConfigError, parseInactivityConfig, type InactivityConfig } from './config.js';
export { createInactivitySweep, type InactivityPorts } from './sweep.js';
