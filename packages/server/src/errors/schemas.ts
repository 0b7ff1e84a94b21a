/** The error body and the responses every route declares besides its success: written once, in @burrow/api. */
export { ErrorSchema, errorResponses } from '@burrow/api';
