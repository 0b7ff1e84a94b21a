/**
 * A sole guardian who lost every approved device seats a new one (docs/protocol.md §5.1,
 * docs/safety.md "Losing every device"). A password proves too little — a thief may hold it — so the
 * server wants, besides the signed-in account acting as its new device:
 *
 * - one of the account's unused recovery codes (spent here), and
 * - an open pairing window of a toy of this family: the toy is in hand, its button held. The roster
 *   comes MACed with that pairing code's secret, which the server never sees; the toy checks the MAC
 *   and the chain itself before it pins the roster, so a server (or anyone past these checks) still
 *   cannot seat a device the toy did not see a code typed into.
 *
 * A family with another guardian who still has a device recovers the ordinary way — that guardian
 * approves the new device under Family — so the toy path is refused there (409), and a thief holding
 * one parent's password, code and toy cannot push the other parent out.
 */
import { findDevice, parseRoster, rosterHash, verifyRecoveryRoster } from '@burrow/protocol';
import type { Logger } from 'pino';
import type { RecoverGuardianBody, RecoverGuardianResponse } from '@burrow/api';
import { throttleKey, type Credentials, type RequestMeta, type Telling } from '../accounts/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db } from '../db/index.js';
import { devicesByIds, isFamilyToy } from '../devices/store.js';
import { badRequest, conflict, notFound } from '../errors/index.js';
import { lockFamilyOrNotFound, requireGuardian, type Actor } from '../families/access.js';
import { announceRoster, checkRosterDevices, checkSignedByCaller, currentRoster, insertRoster, syncMembers } from '../families/rosters.js';
import { nativeVerify } from '../signatures/native-ed25519.js';
import { closePairingWindow } from '../toys/store.js';
import type { RecoveryCodes } from './recovery-codes.js';

export interface GuardianRecovery {
  recoverGuardian(actor: Actor, familyId: string, input: RecoverGuardianBody, meta: RequestMeta): Promise<RecoverGuardianResponse>;
}

const noOpenPairing = () =>
  notFound('pairing_code_unknown', 'No toy of this family is waiting to pair with that code. Hold the toy’s pairing button and use the code it shows now.');

export function createGuardianRecovery({
  db,
  bus,
  clock,
  log,
  codes,
  credentials: { throttle, rules },
  tell,
}: {
  db: Db;
  bus: Bus;
  clock: Clock;
  log: Logger;
  codes: RecoveryCodes;
  credentials: Pick<Credentials, 'throttle' | 'rules'>;
  tell: Pick<Telling, 'changed'>;
}): GuardianRecovery {
  return {
    async recoverGuardian(actor, familyId, input, meta) {
      await requireGuardian(db, familyId, actor.accountId);
      // Wrong codes count against the account like recovery-code password resets do.
      const accountKey = throttleKey('recovery-account', actor.accountId, rules.account);
      await throttle.check([accountKey]);

      const current = await currentRoster(db, familyId);
      if (!current) throw notFound('family_not_found', 'No such family.');
      const guardianDevices = current.roster.devices.filter((d) => d.role === 'guardian').map((d) => d.id);
      const others = (await devicesByIds(db, guardianDevices)).filter((r) => r.account_id !== null && r.account_id !== actor.accountId);
      if (others.length > 0) {
        throw conflict('guardian_device_exists', 'Another guardian of this family still has an approved device: they approve this browser under Family.');
      }

      const now = clock.now();
      const pairing = await db
        .selectFrom('pairings')
        .select('toy_id')
        .where('lookup', '=', input.lookup)
        .where('claimed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!pairing || !(await isFamilyToy(db, familyId, pairing.toy_id))) throw noOpenPairing();

      const next = parseRoster(input.roster);
      verifyRecoveryRoster(current.roster, next, nativeVerify);
      checkSignedByCaller(next, actor.deviceId);
      if (findDevice(next, pairing.toy_id)?.role !== 'toy') throw badRequest('roster_invalid', 'The roster must keep the toy whose code was typed.');
      await checkRosterDevices(db, next);

      // Checked and spent last, in the same transaction as the roster: a refused roster keeps the code.
      let wrongCode = false;
      try {
        await db.transaction().execute(async (trx) => {
          // First: the family kept from its erasure until this commits, or 404 when an erasure got
          // there first (the roster's insert met the deleted family's key: a 500 before). The code is
          // not spent then: the transaction rolls back.
          await lockFamilyOrNotFound(trx, familyId);
          if (!(await codes.consume(actor.accountId, input.recoveryCode, trx))) {
            wrongCode = true;
            throw badRequest('recovery_code_wrong', 'That recovery code is not one of this account’s unused codes. Each code works once.');
          }
          await insertRoster(trx, next, rosterHash(next), now);
          await syncMembers(trx, next);
          const closed = await closePairingWindow(trx, pairing.toy_id, input.lookup, {
            familyId,
            rosterVersion: next.version,
            rosterTag: input.rosterTag,
            claimedAt: now,
          });
          if (!closed) throw conflict('pairing_code_changed', 'The toy’s pairing code changed meanwhile; use the code it shows now.');
        });
      } catch (err) {
        if (wrongCode) await throttle.fail([accountKey]);
        if (isUniqueViolation(err)) throw conflict('roster_changed', 'The roster changed meanwhile; try again.');
        throw err;
      }
      await throttle.clear(accountKey);
      bus.publish(topics.device(pairing.toy_id), { type: 'pairing' });
      announceRoster(bus, next, current.roster);
      log.info({ familyId, rosterVersion: next.version }, 'guardian recovered with a recovery code and the toy');
      await tell.changed(
        actor.accountId,
        'recovery_code_used',
        meta,
        'A new device became a guardian of your Burrow family with one of your recovery codes and the toy’s pairing code. Your earlier devices were removed from the family.',
        'guardian recovery',
      );
      return { toyId: pairing.toy_id, rosterVersion: next.version };
    },
  };
}
