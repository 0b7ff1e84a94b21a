/** Favourites kept on the toys (docs/protocol.md §18): what a guardian asked each toy to keep. */
import { isApiError } from '@burrow/client';
import { describeError, ShownError } from '../../shared/errors.js';
import { t } from '../../i18n/index.js';
import type { GuardianCore } from './core.js';

export class Favourites {
  constructor(private readonly core: GuardianCore) {}

  async refreshFavourites(): Promise<void> {
    const { role, familyId } = this.core.state;
    if (role !== 'guardian' || !familyId) return;
    const { slots, favourites } = await this.core.api.listFavourites(familyId);
    this.core.set({
      favourites: { slots, kept: favourites.map(({ toyId, messageId }) => ({ toyId, messageId })) },
    });
  }

  /**
   * Keeps a message on the family's toys it was sent to, or lets it go: this device signs one
   * instruction per toy, each toy verifies it itself. A toy the message was not sent to answers 400
   * and is skipped; any other refusal (a full toy's 409) is shown.
   */
  async keepOnToy(messageId: string, keep: boolean): Promise<void> {
    const familyId = this.core.requireFamily();
    let done = 0;
    let refusal: Error | null = null;
    for (const toy of this.core.state.toys) {
      try {
        await this.core.device.setFavourite(familyId, toy.toyId, messageId, keep);
        done++;
      } catch (err) {
        // A toy the message was not sent to is skipped; any other refusal is the answer.
        if (!(isApiError(err) && err.refusal?.reason === 'message_not_for_toy')) refusal ??= err instanceof Error ? err : new ShownError(describeError(err));
      }
    }
    await this.refreshFavourites();
    if (refusal) throw refusal;
    if (done === 0) throw new ShownError(t('guardianErrors.notOurToy'));
  }
}
