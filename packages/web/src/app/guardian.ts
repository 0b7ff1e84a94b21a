/**
 * The guardian app's state and actions, outside React, one part per domain (guardian/*.ts): the
 * pages call `guardian.<part>.<action>()` and read the one snapshot through useGuardian. Everything
 * that touches the protocol goes through @burrow/client's FamilyDevice (sealing, opening, rosters,
 * pairing) and ApiClient; these files only decide when to call them and keep what the pages show.
 */
import { ApiClient, FamilyDevice } from '@burrow/client';
import { IdbStore, MessageArchive } from '../shared/idb-store.js';
import { UploadTracker } from '../shared/upload-fetch.js';
import { DB_NAME, GuardianCore } from './guardian/core.js';
import { Devices } from './guardian/devices.js';
import { Family } from './guardian/family.js';
import { Favourites } from './guardian/favourites.js';
import { Live } from './guardian/live.js';
import { Members } from './guardian/members.js';
import { Messages } from './guardian/messages.js';
import { Names } from './guardian/names.js';
import { Reviews } from './guardian/reviews.js';
import { Session } from './guardian/session.js';
import { Toys } from './guardian/toys.js';
import type { GuardianState } from './guardian/state.js';

export type {
  Child,
  GuardianState,
  PendingSignIn,
  Phase,
  Receipt,
  SendStage,
  Toy,
  WaitingReview,
} from './guardian/state.js';

export class Guardian {
  readonly subscribe: (listener: () => void) => () => void;
  readonly snapshot: () => GuardianState;
  readonly names: Names;
  readonly toys: Toys;
  readonly favourites: Favourites;
  readonly family: Family;
  readonly members: Members;
  readonly devices: Devices;
  readonly reviews: Reviews;
  readonly messages: Messages;
  readonly session: Session;

  private constructor(core: GuardianCore) {
    this.subscribe = core.subscribe;
    this.snapshot = core.snapshot;
    this.names = new Names(core);
    this.toys = new Toys(core);
    this.favourites = new Favourites(core);
    this.family = new Family(core, this.toys);
    this.members = new Members(core, this.family);
    this.devices = new Devices(core, this.family);
    this.reviews = new Reviews(core);
    // A renewal adopted while syncing re-enters the session (created below; called only later).
    this.messages = new Messages(core, this.names, () => this.session.afterRenewal());
    const live = new Live(core, {
      family: this.family,
      toys: this.toys,
      messages: this.messages,
      reviews: this.reviews,
      favourites: this.favourites,
    });
    this.session = new Session(core, {
      family: this.family,
      live,
      reviews: this.reviews,
      favourites: this.favourites,
    });
  }

  /** Opens this browser's device (generating its keys on first use) and resumes a session if any. */
  static async open(baseUrl: string): Promise<Guardian> {
    const store = await IdbStore.open(DB_NAME);
    const uploads = new UploadTracker();
    const api = new ApiClient({ baseUrl, fetch: uploads.fetch });
    const device = await FamilyDevice.open({
      api,
      store,
      onRefused: (envelope, reason) => console.warn(`Refused message ${envelope.id}: ${reason}`),
    });
    const guardian = new Guardian(
      new GuardianCore(api, device, store, new MessageArchive(store.db), uploads),
    );
    void guardian.session.resume();
    return guardian;
  }
}
