/** The error body every route can answer with (docs/api.md, "Errors"), and its closed set of codes. */
import { Type, type Static } from '@sinclair/typebox';
import { REFUSAL_REASONS } from './refusals.js';

/** Every `error.code` the API answers with. The server maps each to its HTTP status (errors/codes.ts). */
export const ERROR_CODES = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  /** 409: a send whose message id is stored with this very envelope — a retry that already landed. */
  'already_sent',
  'gone',
  'payload_too_large',
  'unsupported_media_type',
  /** 408: an upload or send whose body did not arrive in time; its connection is closed (http/body-deadline.ts). */
  'request_timeout',
  'rate_limited',
  'internal',
  'unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Registered once by the server (`app.addSchema`) and referenced as `Error` by every route. */
export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
      message: Type.String(),
      /**
       * Why, as a stable machine code (refusals.ts): on every 4xx the server sends. Apps translate
       * it; `message` stays the server's English sentence. Absent on 5xx and from older servers.
       */
      reason: Type.Optional(Type.Union(REFUSAL_REASONS.map((r) => Type.Literal(r)))),
      /** The values the reason's sentence names (`REFUSALS[reason]`), e.g. `{"min": 15}`. */
      params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    }),
  },
  { $id: 'Error', title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorSchema>;

/** Responses a route declares besides its success: any 4xx and 5xx carry ErrorSchema. */
export const errorResponses = {
  '4xx': Type.Ref('Error'),
  '5xx': Type.Ref('Error'),
} as const;
