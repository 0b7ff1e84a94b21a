import { Type } from '@sinclair/typebox';
import { Base64url, DeviceId } from '../http/schemas.js';

export const DeviceKeysBody = Type.Object({
  signPublicKey: Base64url({ bytes: 32, description: 'Ed25519 public key.' }),
  kemPublicKey: Base64url({ bytes: 32, description: 'X25519 public key.' }),
  proof: Base64url({ bytes: 64, description: 'Proof of possession (docs/protocol.md §2.3).' }),
});

export const RegisterDeviceResponse = Type.Object({ deviceId: DeviceId });
