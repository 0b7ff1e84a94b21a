/**
 * Update routes (docs/api.md "Updates"): toys ask for the newest bundle and download it with their
 * toy token; an operator uploads with BURROW_UPDATES_TOKEN (or `burrow release upload`, which needs
 * no route at all). Nothing here can make a bundle a toy accepts: the toy verifies the release
 * signature itself (docs/protocol.md §13.3).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BinaryBody, LatestUpdateQuery, NoContent, LatestUpdateResponse, PutUpdateReportBody, ToyParams, ToyUpdateStatusResponse, UpdateBundleQuery, UploadUpdateResponse, errorResponses } from '@burrow/api';
import { accountOf, toyOf } from '../auth/index.js';
import { forbidden, refuse, unauthenticated } from '../errors/index.js';
import type { App, RouteContext } from '../http/types.js';
import type { UpdatesConfig } from './config.js';
import type { Updates } from './service.js';

/** A toy update is a few megabytes; the mirror takes up to 64 MiB a bundle. */
export const UPDATE_BODY_LIMIT = 64 * 1024 * 1024;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function updatesRoutes(app: App, { updates, updatesConfig }: RouteContext & { updates: Updates; updatesConfig: UpdatesConfig }): void {
  app.get(
    '/v1/toys/me/update',
    {
      schema: { operationId: 'getLatestUpdate', tags: ['updates'], querystring: LatestUpdateQuery, response: { 200: LatestUpdateResponse, ...errorResponses } },
      config: { auth: 'toy' },
    },
    async (request) => ({ manifest: await updates.latest(request.query.target, request.query.current) }),
  );
  app.get(
    '/v1/toys/me/update/bundle',
    {
      schema: { operationId: 'downloadUpdateBundle', tags: ['updates'], produces: ['application/octet-stream'], querystring: UpdateBundleQuery, response: { 200: BinaryBody, ...errorResponses } },
      config: { auth: 'toy' },
    },
    async (request, reply) => {
      const bytes = await updates.bundle(request.query.target, request.query.version);
      return reply.type('application/octet-stream').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
  app.put(
    '/v1/toys/me/update-status',
    {
      schema: { operationId: 'putUpdateReport', tags: ['updates'], body: PutUpdateReportBody, response: { 204: NoContent, ...errorResponses } },
      config: { auth: 'toy' },
    },
    async (request, reply) => {
      const { detail, ...rest } = request.body;
      await updates.report(toyOf(request).toyId, { ...rest, ...(detail === undefined ? {} : { detail }) });
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/v1/families/:familyId/toys/:toyId/update-status',
    {
      schema: { operationId: 'getToyUpdateStatus', tags: ['updates'], params: ToyParams, response: { 200: ToyUpdateStatusResponse, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => ({ status: await updates.statusFor(accountOf(request).accountId, request.params.familyId, request.params.toyId) }),
  );
  // Raw bodies only on the upload, in their own encapsulated context.
  void app.register((uploadApp: App, _opts, done) => {
    uploadApp.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: UPDATE_BODY_LIMIT }, (_req, body, next) => {
      next(null, body);
    });
    uploadApp.post(
      '/v1/updates',
      {
        schema: { operationId: 'uploadUpdate', tags: ['updates'], consumes: ['application/octet-stream'], response: { 201: UploadUpdateResponse, ...errorResponses } },
        bodyLimit: UPDATE_BODY_LIMIT,
      },
      async (request, reply) => {
        const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        if (given === undefined) throw unauthenticated('operator_token_required', 'Uploading an update needs Authorization: Bearer <BURROW_UPDATES_TOKEN>.');
        const token = updatesConfig.uploadToken;
        if (token === null) throw forbidden('uploads_off', 'Uploads over HTTP are off: set BURROW_UPDATES_TOKEN, or use `burrow release upload`.');
        if (!timingSafeEqual(digest(given), digest(token))) throw forbidden('operator_token_required', 'Uploading an update needs Authorization: Bearer <BURROW_UPDATES_TOKEN>.');
        const body: unknown = request.body;
        if (!Buffer.isBuffer(body)) throw refuse('unsupported_media_type', 'content_type_wrong', 'Send the bundle as application/octet-stream.');
        return reply.code(201).send(await updates.upload(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)));
      },
    );
    done();
  });
}
