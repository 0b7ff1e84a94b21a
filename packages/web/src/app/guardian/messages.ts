/**
 * Voice messages in this browser: sealing and sending, pulling and opening new ones into the archive
 * (with a notification for a child's answer while the app is hidden), receipts, listening, deleting.
 */
import type { SentItem } from '@burrow/api';
import { isApiError } from '@burrow/client';
import { describeError, ShownError } from '../../shared/errors.js';
import type { ArchivedMessage } from '../../shared/idb-store.js';
import type { Recording } from '../../shared/recorder.js';
import { t } from '../../i18n/index.js';
import { notifyInBackground } from '../notify.js';
import type { GuardianCore } from './core.js';
import type { Names } from './names.js';
import type { Receipt, SendStage } from './state.js';

export class Messages {
  private syncing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly core: GuardianCore,
    private readonly names: Names,
    /** This browser switched to an identity a guardian's device renewed: the session re-enters. */
    private readonly onRenewed: () => Promise<void>,
  ) {}

  /**
   * Seals the recording in this browser (FamilyDevice.sendVoice: a fresh content key, HPKE to each
   * toy and to this device, signed), uploads the ciphertext, posts the envelope. Timings are left as
   * performance measures `burrow:seal`, `burrow:upload` and `burrow:send`.
   */
  async send(recording: Recording, toyIds: string[], onStage: (stage: SendStage) => void): Promise<string> {
    const { device, archive, uploads } = this.core;
    const familyId = this.core.requireFamily();
    const senderName = this.core.state.senderName;
    onStage({ stage: 'sealing' });
    const started = performance.mark('burrow:send:start');
    let uploadStarted: PerformanceMark | undefined;
    const stop = uploads.listen((progress) => {
      uploadStarted ??= performance.mark('burrow:send:sealed');
      onStage(progress.loaded >= progress.total ? { stage: 'posting' } : { stage: 'uploading', progress });
    });
    let messageId: string;
    try {
      messageId = await device.sendVoice(familyId, toyIds, recording.bytes, {
        mimeType: recording.mimeType,
        durationMs: recording.durationMs,
        ...(senderName ? { senderName } : {}),
      });
    } catch (err) {
      // The server answers a removed or blocked person as it answers a stranger ("No such family",
      // so family ids cannot be probed). This browser was in the family, so say what that means here.
      if (isApiError(err, 'not_found') && err.refusal?.reason === 'family_not_found')
        throw new ShownError(t('guardianErrors.blocked'));
      throw err;
    } finally {
      stop();
    }
    const done = performance.mark('burrow:send:done');
    if (uploadStarted) {
      performance.measure('burrow:seal', started.name, uploadStarted.name);
      performance.measure('burrow:upload', uploadStarted.name, done.name);
    }
    performance.measure('burrow:send', started.name, done.name);
    await archive.put({
      messageId,
      familyId,
      from: device.deviceId,
      createdAt: Date.now(),
      mimeType: recording.mimeType,
      durationMs: recording.durationMs,
      senderName: senderName || null,
      audio: recording.blob,
      to: toyIds,
      heard: true,
    });
    await this.core.reloadMessages();
    void this.refreshReceipts();
    return messageId;
  }

  /** Pulls, verifies and opens new messages; serialised so two wake-ups never race on the cursor. */
  sync(): Promise<unknown> {
    this.syncing = this.syncing
      .then(() => this.syncNow())
      .catch((err: unknown) => console.warn('sync failed:', describeError(err)));
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    const { device, archive } = this.core;
    // A renewal a guardian's device has performed since: switch to the new identity first (the old
    // one is no longer in the roster, so nothing below would run for it).
    const pending = this.core.state;
    if (pending.familyId && pending.renewalPending && (await device.adoptRenewedIdentity(pending.familyId))) {
      void this.onRenewed();
      return;
    }
    const { familyId, inRoster } = this.core.state;
    if (!familyId || !inRoster) return;
    const received = await device.sync();
    for (const m of received) {
      const mimeType = typeof m.meta.mimeType === 'string' ? m.meta.mimeType : 'application/octet-stream';
      // A toy does not name itself in what it seals: its name as the family knows it now is kept
      // with the answer, so the answer is still "Bunny"'s once the toy is unpaired or renewed
      // (senderLabel prefers the live name while the toy is in the family).
      const senderName =
        typeof m.meta.senderName === 'string'
          ? m.meta.senderName
          : this.names.isToy(m.from)
            ? this.names.toyName(m.from)
            : null;
      await archive.put({
        messageId: m.messageId,
        familyId: m.familyId,
        from: m.from,
        createdAt: m.createdAt,
        mimeType,
        durationMs: typeof m.meta.durationMs === 'number' ? m.meta.durationMs : null,
        senderName,
        audio: new Blob([m.audio as Uint8Array<ArrayBuffer>], { type: mimeType }),
      });
    }
    if (received.length > 0) await this.core.reloadMessages();
    // An answer from a toy while the app is in the background: a system notification (notify.ts).
    const answer = received.find((m) => this.names.isToy(m.from));
    if (answer) {
      const child = this.names.childOfToy(answer.from)?.name ?? t('names.yourChild');
      void notifyInBackground(
        t('names.answered', { child }),
        t('names.answeredBody', { toy: this.names.toyName(answer.from) }),
        `answer-${answer.messageId}`,
        '/listen',
      );
    }
    // This browser's KEM key rotates and old ones are erased like the toy's (docs/protocol.md §14.3);
    // the device checks at most hourly, so calling it on every sync costs nothing.
    await device
      .maintainKeys(familyId)
      .catch((err: unknown) => console.warn('key rotation failed:', describeError(err)));
  }

  async refreshReceipts(): Promise<void> {
    try {
      // Every page: a status for the 51st message sent is as true as for the first.
      const messages: SentItem[] = [];
      for (let after = 0; ;) {
        const page = await this.core.api.listSent(after);
        messages.push(...page.messages);
        const last = page.messages.at(-1);
        if (!last || last.seq <= after) break;
        after = last.seq;
      }
      const receipts: Record<string, Receipt> = {};
      for (const m of messages) {
        // The toys' receipts only: a message to a toy is sealed to the guardians too (they hear
        // everything), and a guardian's browser fetching it is not the toy having it.
        const fromToys = m.receipts.filter(
          (r) => m.toys.some((t) => t.toyId === r.deviceId) || this.names.isToy(r.deviceId),
        );
        receipts[m.messageId] = {
          delivered: fromToys.some((r) => r.kind === 'delivered' || r.kind === 'played'),
          played: fromToys.some((r) => r.kind === 'played'),
          declined: fromToys.some((r) => r.kind === 'declined'),
          toys: m.toys,
        };
      }
      this.core.set({ receipts });
    } catch (err) {
      console.warn('receipts failed:', describeError(err));
    }
  }

  /** The listener played a message: remember it here and tell its sender. */
  async markHeard(messageId: string): Promise<void> {
    const message = this.core.state.messages.find((m) => m.messageId === messageId);
    if (!message || message.heard) return;
    await this.core.archive.markHeard(messageId);
    await this.core.reloadMessages();
    // Only the toy's answers are acknowledged as played: a guardian listening to a relative's message
    // to the toy must not tell the relative "played" (that is the toy's to say).
    if (this.names.isToy(message.from)) await this.core.device.markPlayed(messageId).catch(() => undefined);
  }

  /** Its sender (any device of this account) or a guardian may delete a message (the server checks too). */
  canDelete(message: ArchivedMessage): boolean {
    const { role, accountDevices } = this.core.state;
    return (
      role === 'guardian' ||
      message.from === this.core.device.deviceId ||
      accountDevices.includes(message.from)
    );
  }

  /**
   * Deletes a message: the server's copy, and through this device's signed instruction the copy on
   * any toy that has not played it (FamilyDevice.deleteMessage); then this browser's own copy. A
   * message the server no longer holds (expired, or deleted from another device) is only forgotten here.
   */
  async deleteMessage(messageId: string): Promise<void> {
    try {
      await this.core.device.deleteMessage(this.core.requireFamily(), messageId);
    } catch (err) {
      if (!isApiError(err, 'not_found')) throw err;
    }
    await this.forgetMessage(messageId);
  }

  /** Drops a deleted message from this browser's archive (also on a `deleted` stream event). */
  async forgetMessage(messageId: string): Promise<void> {
    await this.core.archive.remove(messageId);
    await this.core.reloadMessages();
  }
}
