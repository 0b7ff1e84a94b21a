/** Favourites kept on a toy (docs/protocol.md §18; docs/api.md "Favourites"). */
import type { FavouriteWire } from '@burrow/protocol';
import { Type, type Static } from '@sinclair/typebox';
import { Cursor, DeviceId, Envelope, MessageId, PageLimit, ProtocolJson } from './primitives.js';

const Favourite = ProtocolJson<FavouriteWire>('A favourite instruction signed by a guardian device (docs/protocol.md §18).');

/** A guardian keeps a message on a toy, or lets it go (`instruction.keep`). */
export const SetFavouriteBody = Type.Object({ instruction: Favourite });
export type SetFavouriteBody = Static<typeof SetFavouriteBody>;
export const SetFavouriteResponse = Type.Object({
  toyId: DeviceId,
  /** How many messages the toy is asked to keep now. */
  kept: Type.Integer({ minimum: 0 }),
  /** How many it can keep (FAVOURITE_SLOTS). */
  slots: Type.Integer({ minimum: 1 }),
});
export type SetFavouriteResponse = Static<typeof SetFavouriteResponse>;

/** The family's favourites as guardians asked for them, per toy. */
export const ListFavouritesResponse = Type.Object({
  slots: Type.Integer({ minimum: 1 }),
  favourites: Type.Array(Type.Object({ toyId: DeviceId, messageId: MessageId, keptAt: Type.Integer() })),
});
export type ListFavouritesResponse = Static<typeof ListFavouritesResponse>;

/** A toy's feed of favourite instructions after its cursor, each with the message's envelope while the server still has it. */
export const ToyFavouritesQuery = Type.Object({ after: Type.Optional(Cursor), limit: Type.Optional(PageLimit) });
export type ToyFavouritesQuery = Static<typeof ToyFavouritesQuery>;
export const ToyFavouritesResponse = Type.Object({
  favourites: Type.Array(
    Type.Object({
      seq: Type.Integer({ minimum: 1 }),
      instruction: Favourite,
      envelope: Type.Union([Envelope, Type.Null()], { description: 'null once the message is gone from the server (retention, deletion).' }),
    }),
  ),
});
export type ToyFavouritesResponse = Static<typeof ToyFavouritesResponse>;
