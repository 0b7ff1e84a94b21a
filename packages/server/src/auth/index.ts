export * from './tokens.js';
export * from './principal.js';
export * from './hooks.js';
export * from './register.js';
export * from './session-cookie.js';
