/** Signed toy updates: toys ask for and download bundles, an operator uploads them (docs/api.md, "Updates"). */
import type { UpdateManifestWire } from '@burrow/protocol';
import { Type, type Static } from '@sinclair/typebox';

const Version = Type.String({ pattern: '^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})$', description: 'MAJOR.MINOR.PATCH.' });
const Target = Type.String({ pattern: '^[a-z0-9][a-z0-9._/-]{0,63}$', description: 'What the payload runs on, e.g. burrow-toy.' });

/** A signed update manifest (docs/protocol.md §13.1); the toy verifies it, the server does not. */
export const UpdateManifest = Type.Unsafe<UpdateManifestWire>(
  Type.Object(
    {
      v: Type.Literal(1),
      target: Target,
      version: Version,
      minVersion: Version,
      size: Type.Integer({ minimum: 0 }),
      sha256: Type.String(),
      releasedAt: Type.Integer({ minimum: 0 }),
      notes: Type.String(),
      signature: Type.String(),
    },
    { description: 'Signed update manifest (docs/protocol.md §13.1).' },
  ),
);

export const LatestUpdateQuery = Type.Object({ target: Target, current: Version });
export type LatestUpdateQuery = Static<typeof LatestUpdateQuery>;
export const LatestUpdateResponse = Type.Object({
  manifest: Type.Union([UpdateManifest, Type.Null()], { description: 'The newest bundle the toy may apply over `current`, or null: up to date.' }),
});
export type LatestUpdateResponse = Static<typeof LatestUpdateResponse>;

export const UpdateBundleQuery = Type.Object({ target: Target, version: Version });
export type UpdateBundleQuery = Static<typeof UpdateBundleQuery>;

export const UploadUpdateResponse = Type.Object({ target: Target, version: Version });
export type UploadUpdateResponse = Static<typeof UploadUpdateResponse>;

const UpdateState = Type.Union([Type.Literal('current'), Type.Literal('pending'), Type.Literal('rolled_back')], {
  description: 'current: runs `version`; pending: an update waits for its trial start; rolled_back: the last update failed to start.',
});

/** What a toy reports about its software after a check or a boot. */
export const PutUpdateReportBody = Type.Object({
  target: Target,
  version: Version,
  state: UpdateState,
  detail: Type.Optional(Type.String({ maxLength: 200, description: 'The pending or rolled-back version, or why.' })),
});
export type PutUpdateReportBody = Static<typeof PutUpdateReportBody>;

/** A toy's software as guardians see it on the Toys page. */
export const ToyUpdateStatusResponse = Type.Object({
  status: Type.Union([
    Type.Object({
      version: Version,
      state: UpdateState,
      detail: Type.Union([Type.String(), Type.Null()]),
      reportedAt: Type.Integer(),
      /** The newest version the mirror holds that this toy may apply, or null: up to date. */
      available: Type.Union([Version, Type.Null()]),
    }),
    Type.Null(),
  ]),
});
export type ToyUpdateStatusResponse = Static<typeof ToyUpdateStatusResponse>;
