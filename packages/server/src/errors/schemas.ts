import { Type } from '@sinclair/typebox';
import { errorCodes } from './codes.js';

/** The error body every route can answer with (docs/api.md, "Errors"). */
export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(errorCodes.map((c) => Type.Literal(c))),
      message: Type.String(),
    }),
  },
  { $id: 'Error', title: 'Error' },
);

/** Responses a route declares besides its success: any 4xx and 5xx carry ErrorSchema. */
export const errorResponses = {
  '4xx': Type.Ref('Error'),
  '5xx': Type.Ref('Error'),
} as const;
