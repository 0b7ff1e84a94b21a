/**
 * What this toy build trusts and is (docs/protocol.md §13). The release public key is pinned here at
 * build time: a maker shipping their own toys replaces it with the line `burrow release keygen`
 * prints, and keeps the secret half offline. Nothing at run time can change it — no flag, no
 * environment variable, no file in the data folder; only tests pass another key, explicitly, to the
 * functions of slots.ts.
 */
import { parseReleasePublicKey, type ReleasePublicKey } from '@burrow/protocol';

/** The Burrow project's release key (public half). Its secret half is not in this repository. */
export const RELEASE_PUBLIC_KEY: ReleasePublicKey = parseReleasePublicKey('vVn_k9fyN9mCu6IwCvJ2jPVRhg_0Y0KOOcJ9UmL6HOk');

/** The target this build accepts updates for; a bundle for any other is refused. */
export const TOY_TARGET = 'burrow-toy';

/** The version of the code shipped in this build (the factory image); kept equal to package.json's. */
export const TOY_VERSION = '0.1.0';
