import {
  FamilyParams,
  ListFavouritesResponse,
  SetFavouriteBody,
  SetFavouriteResponse,
  ToyFavouritesQuery,
  ToyFavouritesResponse,
  errorResponses,
} from '@burrow/api';
import { accountDeviceOf, accountOf, toyOf } from '../auth/index.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import type { App, RouteContext } from '../http/types.js';
import type { Favourites } from './service.js';

/** Favourites kept on a toy (docs/api.md "Favourites", docs/protocol.md §18). */
export function favouritesRoutes(app: App, { favourites }: RouteContext & { favourites: Favourites }): void {
  app.post(
    '/v1/families/:familyId/favourites',
    {
      schema: {
        operationId: 'setFavourite',
        tags: ['favourites'],
        params: FamilyParams,
        body: SetFavouriteBody,
        response: { 200: SetFavouriteResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request) => favourites.setFavourite(accountDeviceOf(request), request.params.familyId, request.body.instruction),
  );

  app.get(
    '/v1/families/:familyId/favourites',
    {
      schema: {
        operationId: 'listFavourites',
        tags: ['favourites'],
        params: FamilyParams,
        response: { 200: ListFavouritesResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => favourites.listFavourites(accountOf(request).accountId, request.params.familyId),
  );

  app.get(
    '/v1/toys/me/favourites',
    {
      schema: {
        operationId: 'listToyFavourites',
        tags: ['favourites'],
        querystring: ToyFavouritesQuery,
        response: { 200: ToyFavouritesResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request) => ({ favourites: await favourites.listToyFavourites(toyOf(request), request.query.after ?? 0, request.query.limit ?? 50) }),
  );
}
