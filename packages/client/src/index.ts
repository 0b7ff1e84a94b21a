/** @burrow/client — the API client and device logic shared by the web app, the CLIs and the tests. */
export * from './api.js';
export * from './api-error.js';
export * from './store.js';
export * from './device-keys.js';
export * from './roster-sync.js';
export * from './family-device.js';
export * from './toy-device.js';
export * from './toy-favourites.js';
export * from './stream.js';
export * from './kem-keyring.js';
export * from './kem-directory.js';
