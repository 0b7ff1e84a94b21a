/**
 * GET /v1/toys/me/sync: a toy's wake-up in one round trip (issue #11). The toy used to ask six
 * times — newer rosters, deletion instructions, its settings, its inbox, the messages released after
 * review, its favourite instructions — each one an HTTP exchange and an authentication. This route answers all six after the
 * toy's cursors, from the same services that serve the single routes (given by the composition, so
 * this folder imports no other capability), with the same checks: a toy reads only its own family's
 * rosters, its own deletions, settings and queues.
 */
import { errorResponses, ToySyncQuery, ToySyncResponse, TOY_SYNC_DELETIONS, TOY_SYNC_FAVOURITES } from '@burrow/api';
import { deviceOf, toyOf, type DeviceCaller, type ToyPrincipal } from '../auth/index.js';
import type { Admission } from '../http/admission.js';
import type { App, RouteContext } from '../http/types.js';

/** Messages per feed when the toy does not say (it passes its free slots). */
const DEFAULT_LIMIT = 5;

/** What a sync reads: each part from the capability that owns it (app.ts wires the services). */
export interface ToySyncSources {
  rosters(toy: ToyPrincipal, familyId: string, after: number): Promise<ToySyncResponse['rosters']>;
  deletions(toy: ToyPrincipal, after: number, limit: number): Promise<ToySyncResponse['deletions']>;
  settings(toyId: string): Promise<ToySyncResponse['settings']>;
  inbox(caller: DeviceCaller, after: number, limit: number): Promise<ToySyncResponse['inbox']>;
  reviewed(toyId: string, after: number, limit: number): Promise<ToySyncResponse['reviewed']>;
  favourites(toy: ToyPrincipal, after: number, limit: number): Promise<ToySyncResponse['favourites']>;
}

export function toySyncRoutes(
  app: App,
  { sources, admission }: RouteContext & { sources: ToySyncSources; admission?: Pick<Admission, 'delivery'> },
): void {
  app.get(
    '/v1/toys/me/sync',
    {
      schema: {
        operationId: 'syncToy',
        tags: ['toys'],
        description:
          'Everything a toy fetches when it wakes, after its cursors: newer rosters, deletion instructions (at most 50), its signed settings, its inbox and the messages released after review (each at most `limit`), its favourite instructions (at most 50). A full part may have more: page on with the single routes.',
        querystring: ToySyncQuery,
        response: { 200: ToySyncResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
      // A wake-up is a delivery: while many are being answered, the node takes no new writes (http/admission.ts).
      ...(admission ? { preParsing: admission.delivery } : {}),
    },
    async (request) => {
      const toy = toyOf(request);
      const q = request.query;
      const limit = q.limit ?? DEFAULT_LIMIT;
      // Unpaired (or unpaired meanwhile): no family, so nothing of one; the toy learns it from its pairing check.
      if (toy.familyId === null)
        return {
          rosters: [],
          deletions: [],
          settings: null,
          inbox: { messages: [], next: q.inboxAfter ?? 0 },
          reviewed: [],
          favourites: [],
        };
      // One after another, not at once: on SQLite they would queue on the one connection anyway, and
      // on PostgreSQL one toy's wake-up should not take five pool connections.
      const rosters = await sources.rosters(toy, toy.familyId, q.rosterAfter ?? 0);
      const deletions = await sources.deletions(toy, q.deletionsAfter ?? 0, TOY_SYNC_DELETIONS);
      const settings = await sources.settings(toy.toyId);
      const inbox = await sources.inbox(deviceOf(request), q.inboxAfter ?? 0, limit);
      const reviewed = await sources.reviewed(toy.toyId, q.reviewedAfter ?? 0, limit);
      const favourites = await sources.favourites(toy, q.favouritesAfter ?? 0, TOY_SYNC_FAVOURITES);
      return { rosters, deletions, settings, inbox, reviewed, favourites };
    },
  );
}
