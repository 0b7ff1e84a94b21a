/**
 * The public face of devices/ for other capabilities: the proof-of-possession check a toy's
 * registration shares with a person's device. The `devices` table itself is read and written
 * through devices/store.ts; the published identity successions (a device's renewed ids) through
 * `successionsAfter`.
 */
export { checkDeviceKeys, type DeviceKeysInput } from './service.js';
export { successionsAfter } from './successions-store.js';
