/** Review before play (docs/safety.md): the queue a guardian hears and decides on, and who may be in it. */
import type { PendingReview } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { t } from '../../i18n/index.js';
import type { GuardianCore } from './core.js';

export class Reviews {
  constructor(private readonly core: GuardianCore) {}

  /** Reloads the review queue (guardians only; others have none). */
  async refreshReviews(): Promise<void> {
    const { role, familyId } = this.core.state;
    if (role !== 'guardian' || !familyId) return;
    try {
      const reviews: PendingReview[] = await this.core.device.listReviews(familyId);
      this.core.set({ reviews });
    } catch (err) {
      console.warn('reviews failed:', describeError(err));
    }
  }

  /** Opens a waiting message in this browser (it is sealed to the guardians) to listen before deciding. */
  async openReview(
    messageId: string,
  ): Promise<{ audio: Blob; senderName: string | null; durationMs: number | null }> {
    const pending = this.core.state.reviews.find((r) => r.messageId === messageId);
    if (!pending) throw new Error(t('guardianErrors.noLongerWaiting'));
    const { meta, audio } = await this.core.device.openReview(this.core.requireFamily(), pending);
    const type = typeof meta.mimeType === 'string' ? meta.mimeType : 'application/octet-stream';
    return {
      audio: new Blob([audio as Uint8Array<ArrayBuffer>], { type }),
      senderName: typeof meta.senderName === 'string' ? meta.senderName : null,
      durationMs: typeof meta.durationMs === 'number' ? meta.durationMs : null,
    };
  }

  /** Approves a waiting message: this device signs a review for each toy; the toys then play it. */
  async approveReview(messageId: string): Promise<void> {
    await this.core.device.approveMessage(this.core.requireFamily(), messageId);
    await this.refreshReviews();
  }

  /** Declines a waiting message: it is deleted and its sender is told. */
  async declineReview(messageId: string): Promise<void> {
    await this.core.device.declineMessage(this.core.requireFamily(), messageId);
    await this.refreshReviews();
  }

  /** People whose messages a guardian may put under review: admitted members and their devices. */
  async reviewablePeople(): Promise<{ accountId: string; email: string; deviceIds: string[] }[]> {
    const { requests } = await this.core.api.listJoinRequests(this.core.requireFamily());
    const roster = this.core.state.roster;
    return requests
      .filter((r) => r.status === 'approved')
      .map((r) => ({
        accountId: r.accountId,
        email: r.email,
        deviceIds: r.devices
          .map((d) => d.deviceId)
          .filter((id) => roster?.devices.some((d) => d.id === id && d.role === 'member')),
      }))
      .filter((p) => p.deviceIds.length > 0);
  }
}
