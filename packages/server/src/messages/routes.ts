import {
  BinaryBody,
  BlobParams,
  DeleteMessageBody,
  FamilyParams,
  InboxResponse,
  MessageParams,
  NoContent,
  PageQuery,
  ReceiptBody,
  SendMessageBody,
  SendMessageResponse,
  SentResponse,
  UploadBlobResponse,
  errorResponses,
} from '@burrow/api';
import { deviceOf } from '../auth/index.js';
import { badRequest, refuse } from '../errors/index.js';
import { BLOB_BODY_LIMIT, PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import type { Admission } from '../http/admission.js';
import type { App, RouteContext } from '../http/types.js';
import type { Messages } from './service.js';

const DEFAULT_LIMIT = 50;

export function messagesRoutes(
  app: App,
  { messages, admission }: RouteContext & { messages: Messages; admission: Admission },
): void {
  // Uploads and sends are the durable writes: past the node's admission limit they are refused with
  // 503 + Retry-After before their body is read, and before authentication when the node is already
  // refusing (http/admission.ts). `onRequest` here runs before the auth hook (auth/register.ts appends it).
  // An admitted write whose body is late is cut with 408, which frees its slot (http/body-deadline.ts).
  const writeHooks = { onRequest: admission.precheck, preParsing: [admission.gate, admission.bodyDeadline] };
  // The delivery side (inbox page, blob download, receipt) is counted: while many are being
  // answered, new writes wait (deliveries first).
  const deliveryHooks = { preParsing: admission.delivery };
  app.addHook('onClose', (_instance, done) => {
    admission.close();
    done();
  });
  // Raw bodies are accepted on the blob upload only, in their own encapsulated context.
  void app.register((blobApp: App, _opts, done) => {
    blobApp.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: BLOB_BODY_LIMIT },
      (_req, body, next) => {
        next(null, body);
      },
    );
    blobApp.put(
      '/v1/families/:familyId/blobs/:hash',
      {
        schema: {
          operationId: 'uploadBlob',
          tags: ['messages'],
          consumes: ['application/octet-stream'],
          params: BlobParams,
          response: { 201: UploadBlobResponse, ...errorResponses },
        },
        // A person's session and the blob's size and family total are read in one statement (auth PathBlob).
        config: { auth: 'device', blobInPath: true },
        bodyLimit: BLOB_BODY_LIMIT,
        ...writeHooks,
      },
      async (request, reply) => {
        const body: unknown = request.body;
        if (!Buffer.isBuffer(body))
          throw refuse('unsupported_media_type', 'content_type_wrong', 'Send the blob as application/octet-stream.');
        const stored = await messages.uploadBlob(
          deviceOf(request),
          request.params.familyId,
          request.params.hash,
          body,
        );
        return reply.code(201).send(stored);
      },
    );
    done();
  });

  app.post(
    '/v1/families/:familyId/messages',
    {
      schema: {
        operationId: 'sendMessage',
        tags: ['messages'],
        params: FamilyParams,
        body: SendMessageBody,
        response: { 201: SendMessageResponse, ...errorResponses },
      },
      config: { auth: 'device' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
      ...writeHooks,
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await messages.sendMessage(deviceOf(request), request.params.familyId, request.body.envelope, request.body.keyEpochs)),
  );

  app.get(
    '/v1/inbox',
    {
      schema: {
        operationId: 'listMessages',
        tags: ['messages'],
        querystring: PageQuery,
        response: { 200: InboxResponse, ...errorResponses },
      },
      config: { auth: 'device' },
      ...deliveryHooks,
    },
    async (request) =>
      messages.listMessages(
        deviceOf(request),
        request.query.after ?? 0,
        request.query.limit ?? DEFAULT_LIMIT,
      ),
  );

  app.get(
    '/v1/sent',
    {
      schema: {
        operationId: 'listSent',
        tags: ['messages'],
        querystring: PageQuery,
        response: { 200: SentResponse, ...errorResponses },
      },
      config: { auth: 'device' },
    },
    async (request) =>
      messages.listSent(deviceOf(request), request.query.after ?? 0, request.query.limit ?? DEFAULT_LIMIT),
  );

  app.get(
    '/v1/messages/:messageId/blob',
    {
      schema: {
        operationId: 'downloadMessageBlob',
        tags: ['messages'],
        produces: ['application/octet-stream'],
        params: MessageParams,
        response: { 200: BinaryBody, ...errorResponses },
      },
      // The caller (a toy's token, or a session and device) and the message are read in one statement (auth PathMessage).
      config: { auth: 'device', messageInPath: true },
      ...deliveryHooks,
    },
    async (request, reply) => {
      const bytes = await messages.downloadMessageBlob(deviceOf(request), request.params.messageId, { ip: request.ip });
      return reply
        .type('application/octet-stream')
        .header('cache-control', 'no-store')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  app.delete(
    '/v1/messages/:messageId',
    {
      schema: {
        operationId: 'deleteMessage',
        tags: ['messages'],
        params: MessageParams,
        body: DeleteMessageBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'device' },
    },
    async (request, reply) => {
      // The body is optional: a signed instruction for the family's toys (toys/deletions.ts).
      const body: unknown = request.body;
      if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body)))
        throw badRequest('invalid_request', 'The body must be { instruction } or empty.');
      const instruction = (body as { instruction?: unknown } | null | undefined)?.instruction;
      await messages.deleteMessage(deviceOf(request), request.params.messageId, instruction);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/messages/:messageId/receipts',
    {
      schema: {
        operationId: 'sendReceipt',
        tags: ['messages'],
        params: MessageParams,
        body: ReceiptBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'device', messageInPath: true },
      ...deliveryHooks,
    },
    async (request, reply) => {
      await messages.sendReceipt(deviceOf(request), request.params.messageId, request.body.kind);
      return reply.code(204).send(null);
    },
  );
}
