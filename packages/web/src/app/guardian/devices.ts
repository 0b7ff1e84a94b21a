/**
 * The family's people's devices: this browser's fingerprint, approving an admitted person's new
 * device, and signing devices out of the roster.
 */
import type { Grant } from '@burrow/client';
import { deviceFingerprint, toBase64url } from '@burrow/protocol';
import type { GuardianCore } from './core.js';
import type { Family } from './family.js';

export class Devices {
  constructor(
    private readonly core: GuardianCore,
    private readonly family: Family,
  ) {}

  /**
   * This browser's device fingerprint (docs/protocol.md §12): a guardian approving this device sees
   * the same digits, computed from the keys the server gave them, and compares them with these.
   */
  fingerprint(): string {
    const keys = this.core.device.keys;
    return deviceFingerprint({
      signPublicKey: toBase64url(keys.signPublicKey),
      kemPublicKey: toBase64url(keys.kemPublicKey),
    });
  }

  async approveDevice(deviceId: string, grant: Grant): Promise<void> {
    await this.core.device.approveDevice(this.core.requireFamily(), deviceId, grant);
    await this.family.loadFamily();
  }

  async removeDevices(deviceIds: string[]): Promise<void> {
    await this.core.device.removeDevices(this.core.requireFamily(), deviceIds);
    await this.family.loadFamily();
  }

  /** Guardians: signs the roster without the devices of deleted accounts; the server then forgets them. */
  async removeDepartedDevices(): Promise<void> {
    await this.removeDevices(this.core.state.departedDevices);
  }
}
