/**
 * Toy settings (quiet hours): a guardian's device signs a record (docs/protocol.md §10); the server
 * checks what the toy will check — a guardian of the current roster signed it, it is for a toy of
 * this family, it is newer than the stored one — keeps the latest and wakes the toy. The toy verifies
 * again and enforces the hours itself.
 */
import { PutToySettingsBody, PutToySettingsResponse, ToyParams, ToySettingsResponse, errorResponses } from '@burrow/api';
import { parseToySettings, verifyToySettings, type ToySettingsWire } from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import { accountDeviceOf, accountOf, toyOf } from '../auth/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { isFamilyToy } from '../devices/store.js';
import { badRequest, conflict, notFound } from '../errors/index.js';
import { asGuardianOfExistingFamily, requireGuardian, requireMember } from '../families/access.js';
import { currentRoster } from '../families/rosters.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import type { App, RouteContext } from '../http/types.js';
import { putToySettings, toySettingsOf } from './store.js';

export interface ToySettingsService {
  put(actor: { accountId: string; deviceId: string }, familyId: string, toyId: string, json: unknown): Promise<{ version: number }>;
  forFamily(accountId: string, familyId: string, toyId: string): Promise<ToySettingsWire | null>;
  forToy(toyId: string): Promise<ToySettingsWire | null>;
}

export function createToySettings({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }): ToySettingsService {
  async function stored(toyId: string): Promise<ToySettingsWire | null> {
    const json = (await toySettingsOf(db, [toyId])).get(toyId);
    return json === undefined ? null : (JSON.parse(json) as ToySettingsWire);
  }
  async function requireFamilyToy(familyId: string, toyId: string): Promise<void> {
    if (!(await isFamilyToy(db, familyId, toyId))) throw notFound('toy_not_found', 'No such toy in this family.');
  }
  return {
    async put(actor, familyId, toyId, json) {
      await requireGuardian(db, familyId, actor.accountId);
      await requireFamilyToy(familyId, toyId);
      const settings = parseToySettings(json);
      if (settings.familyId !== familyId || settings.toyId !== toyId)
        throw badRequest('wrong_family', 'The settings are for another family or toy.');
      if (settings.signer !== actor.deviceId)
        throw badRequest('signer_not_caller', "The settings must be signed by the device making this request.");
      // Versions are stored as 32-bit integers (PostgreSQL `integer`): a larger one must not reach the insert.
      if (settings.version > 2_147_483_647) throw badRequest('settings_invalid', 'The settings version is too large (at most 2147483647).');
      const current = await currentRoster(db, familyId);
      if (!current) throw notFound('family_not_found', 'No such family.');
      const held = await stored(toyId);
      if (held && settings.version <= held.version)
        throw conflict('settings_outdated', `The toy already has settings version ${String(held.version)}; sign a newer one.`, { version: held.version });
      verifyToySettings(settings, current.roster, toyId, held, nativeVerify);
      // With the family locked against its erasure: one that commits meanwhile is a 404, not a foreign-key 500.
      await asGuardianOfExistingFamily(db, familyId, actor.accountId, (trx) =>
        putToySettings(trx, toyId, familyId, { version: settings.version, json: JSON.stringify(settings), updatedAt: clock.now() }),
      );
      bus.publish(topics.device(toyId), { type: 'settings', toyId });
      return { version: settings.version };
    },
    async forFamily(accountId, familyId, toyId) {
      await requireMember(db, familyId, accountId);
      await requireFamilyToy(familyId, toyId);
      return stored(toyId);
    },
    async forToy(toyId) {
      return stored(toyId);
    },
  };
}

export function toySettingsRoutes(app: App, { settings }: RouteContext & { settings: ToySettingsService }): void {
  app.put(
    '/v1/families/:familyId/toys/:toyId/settings',
    {
      schema: {
        operationId: 'putToySettings',
        tags: ['toys'],
        params: ToyParams,
        body: PutToySettingsBody,
        response: { 200: PutToySettingsResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request) =>
      settings.put(accountDeviceOf(request), request.params.familyId, request.params.toyId, request.body.settings),
  );
  app.get(
    '/v1/families/:familyId/toys/:toyId/settings',
    {
      schema: {
        operationId: 'getToySettings',
        tags: ['toys'],
        params: ToyParams,
        response: { 200: ToySettingsResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({
      settings: await settings.forFamily(accountOf(request).accountId, request.params.familyId, request.params.toyId),
    }),
  );
  app.get(
    '/v1/toys/me/settings',
    {
      schema: {
        operationId: 'getMyToySettings',
        tags: ['toys'],
        response: { 200: ToySettingsResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request) => ({ settings: await settings.forToy(toyOf(request).toyId) }),
  );
}
