/**
 * A toy's wake-up in one round trip (GET /v1/toys/me/sync): everything `ToyDevice.sync` used to fetch
 * with six requests — newer rosters, deletion instructions, its signed settings, its inbox, the
 * messages guardians released after review and its favourite instructions — each after the toy's own
 * cursor. The parts are the same wire items as the single endpoints (listRosters, listToyDeletions,
 * getMyToySettings, listMessages, listReviewedMessages, listToyFavourites), which stay for paging on
 * when a part comes back full.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ListRostersResponse, RosterCursor } from './families.js';
import { ToyFavouritesResponse } from './favourites.js';
import { InboxResponse } from './messages.js';
import { Cursor, PageLimit } from './primitives.js';
import { ReviewedResponse } from './review.js';
import { ToyDeletionsResponse, ToySettingsResponse } from './toys.js';

/** The deletion instructions one sync carries at most; a full part means: page on with listToyDeletions. */
export const TOY_SYNC_DELETIONS = 50;
/** The favourite instructions one sync carries at most; a full part means: page on with listToyFavourites. */
export const TOY_SYNC_FAVOURITES = 50;

export const ToySyncQuery = Type.Object({
  rosterAfter: Type.Optional(RosterCursor),
  deletionsAfter: Type.Optional(Cursor),
  inboxAfter: Type.Optional(Cursor),
  reviewedAfter: Type.Optional(Cursor),
  favouritesAfter: Type.Optional(Cursor),
  /** Messages per feed (the toy's free slots); a feed that returns this many may have more. */
  limit: Type.Optional(PageLimit),
});
export type ToySyncQuery = Static<typeof ToySyncQuery>;

export const ToySyncResponse = Type.Object({
  rosters: ListRostersResponse.properties.rosters,
  deletions: ToyDeletionsResponse.properties.deletions,
  settings: ToySettingsResponse.properties.settings,
  inbox: InboxResponse,
  reviewed: ReviewedResponse.properties.messages,
  favourites: ToyFavouritesResponse.properties.favourites,
});
export type ToySyncResponse = Static<typeof ToySyncResponse>;
