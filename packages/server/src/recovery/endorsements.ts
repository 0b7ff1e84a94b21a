/**
 * The toys' signatures over recovery rosters (docs/protocol.md §5.1), owner of
 * `recovery_endorsements`. A toy that pinned a recovery roster signs it; the family's other devices
 * fetch the signatures to follow a roster step no guardian of the previous version signed. The
 * server checks a signature as those devices will before keeping it, so it keeps no garbage.
 */
import { parseRoster, verifyRecoveryStep, type DeviceId } from '@burrow/protocol';
import type { RecoveryEndorsement } from '@burrow/api';
import type { ToyPrincipal } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { badRequest, forbidden } from '../errors/index.js';
import { requireMember, writeInExistingFamily } from '../families/access.js';
import { rosterAt } from '../families/rosters.js';
import { nativeVerify } from '../signatures/native-ed25519.js';

export interface RecoveryEndorsements {
  endorse(toy: ToyPrincipal, input: RecoveryEndorsement): Promise<void>;
  list(accountId: string, familyId: string): Promise<RecoveryEndorsement[]>;
}

export function createRecoveryEndorsements({ db, clock }: { db: Db; clock: Clock }): RecoveryEndorsements {
  return {
    async endorse(toy, input) {
      if (toy.familyId === null) throw forbidden('toy_not_paired', 'This toy is not paired.');
      if (input.toyId !== toy.toyId) throw badRequest('signer_not_caller', 'A toy endorses in its own name only.');
      const next = await rosterAt(db, toy.familyId, input.version);
      const prev = await rosterAt(db, toy.familyId, input.version - 1);
      if (!next || !prev) throw badRequest('roster_version_unknown', 'No such roster version in this family.');
      verifyRecoveryStep(parseRoster(prev), parseRoster(next), [{ ...input, toyId: input.toyId as DeviceId }], nativeVerify);
      const familyId = toy.familyId;
      // With the family locked against its erasure: one that commits meanwhile is a 404, not a foreign-key 500.
      await writeInExistingFamily(db, familyId, (trx) =>
        trx
          .insertInto('recovery_endorsements')
          .values({ family_id: familyId, version: input.version, toy_id: toy.toyId, signature: input.signature, created_at: clock.now() })
          .onConflict((oc) => oc.columns(['family_id', 'version', 'toy_id']).doNothing())
          .execute(),
      );
    },

    async list(accountId, familyId) {
      await requireMember(db, familyId, accountId);
      const rows = await db
        .selectFrom('recovery_endorsements')
        .select(['toy_id', 'version', 'signature'])
        .where('family_id', '=', familyId)
        .orderBy('version')
        .execute();
      return rows.map((r) => ({ toyId: r.toy_id, version: r.version, signature: r.signature }));
    },
  };
}
