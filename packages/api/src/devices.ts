/** Devices of a person (docs/api.md, "Devices"): registering a device's public keys. */
import { Type, type Static } from '@sinclair/typebox';
import { Base64url, DeviceId } from './primitives.js';

/** A device's public keys with proof of possession; a toy registers with the same body. */
export const DeviceKeysBody = Type.Object({
  signPublicKey: Base64url({ bytes: 32, description: 'Ed25519 public key.' }),
  kemPublicKey: Base64url({ bytes: 32, description: 'X25519 public key.' }),
  proof: Base64url({ bytes: 64, description: 'Proof of possession (docs/protocol.md §2.3).' }),
});
export type DeviceKeysBody = Static<typeof DeviceKeysBody>;

export const RegisterDeviceResponse = Type.Object({ deviceId: DeviceId });
export type RegisterDeviceResponse = Static<typeof RegisterDeviceResponse>;
