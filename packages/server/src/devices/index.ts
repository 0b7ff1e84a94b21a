/**
 * The public face of devices/ for other capabilities: the proof-of-possession check a toy's
 * registration shares with a person's device. The `devices` table itself is read and written
 * through devices/store.ts.
 */
export { checkDeviceKeys, type DeviceKeysInput } from './service.js';
