/**
 * The request validator Fastify compiles every route schema with (app.ts passes it as
 * `schemaController.compilersFactory.buildValidator`). It is Fastify's own Ajv compiler with two
 * changes that close holes the default leaves open:
 *
 * 1. Bodies are not coerced. A query string or a path only carries text, so `?limit=20` has to
 *    become a number; a JSON body already has types, and coercing it turned
 *    `{"email":12345,"password":true}` into a wrong-password 401 instead of a 400.
 * 2. No request part may hold a number that is not finite or beyond ±(2^53 − 1). Ajv coerces
 *    `?after=1e309` (or `Infinity`) to `Infinity` and then skips `minimum`/`maximum` for it (they
 *    only run on finite numbers), so the value reached the handlers and the reply serializer, which
 *    answered 500. A JSON body can hold `1e309` too: `JSON.parse` makes it `Infinity`. Beyond 2^53
 *    integers are no longer exact, and a PostgreSQL bigint refuses them: no Burrow input needs them,
 *    whatever a route's schema forgot to bound.
 */
import AjvCompiler, { type BuildCompilerFromPool } from '@fastify/ajv-compiler';

type Compile = ReturnType<BuildCompilerFromPool>;
type Validate = ReturnType<Compile>;

const UNSAFE_NUMBER = `must be a finite number between ${String(-Number.MAX_SAFE_INTEGER)} and ${String(Number.MAX_SAFE_INTEGER)}`;

/** An Ajv-shaped error, so Fastify's message reads "querystring/after must be a finite number …". */
interface UnsafeNumberError {
  keyword: 'safeNumber';
  instancePath: string;
  schemaPath: string;
  params: Record<string, never>;
  message: string;
}

/** True for a number a request may carry: finite, and no larger than the largest exact integer. */
export function isSafeNumber(n: number): boolean {
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER;
}

/**
 * The JSON Pointer of a number in `value` that is not `isSafeNumber`, or null when there is none.
 * Iterative, so a deeply nested body cannot overflow the stack; binary bodies are not walked.
 */
export function findUnsafeNumber(value: unknown): string | null {
  const pending: Array<[unknown, string]> = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'number') {
      if (!isSafeNumber(item)) return path;
    } else if (item !== null && typeof item === 'object' && !ArrayBuffer.isView(item) && !(item instanceof ArrayBuffer)) {
      for (const [key, child] of Object.entries(item))
        pending.push([child, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
    }
  }
  return null;
}

/** Wraps an Ajv validate function so an unsafe number left in the data fails validation. */
function rejectUnsafeNumbers(validate: Validate): Validate {
  let ownErrors: UnsafeNumberError[] | null = null;
  const inner = validate as unknown as ((data: unknown, context?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
  const wrapped = (data: unknown, context?: unknown): unknown => {
    ownErrors = null;
    const result = inner(data, context);
    if (result !== true) return result;
    // Checked after Ajv ran: its coercion is what turns "1e309" into Infinity.
    const path = findUnsafeNumber(data);
    if (path === null) return true;
    ownErrors = [{ keyword: 'safeNumber', instancePath: path, schemaPath: '#', params: {}, message: UNSAFE_NUMBER }];
    return false;
  };
  Object.defineProperty(wrapped, 'errors', { get: () => ownErrors ?? inner.errors, enumerable: true });
  // Fastify passes the parent object to validators that carry `schemaEnv`, so Ajv may replace a root value.
  if (inner.schemaEnv !== undefined) Object.defineProperty(wrapped, 'schemaEnv', { value: inner.schemaEnv });
  return wrapped as unknown as Validate;
}

/**
 * Builds the validator compiler: for bodies, Ajv without type coercion; for query strings, paths and
 * headers, Fastify's defaults (coercion included). Every validator also refuses unsafe numbers.
 * (With a custom compiler Fastify no longer lower-cases `headers` schemas: no route has one.)
 */
// One pool for the process, as Fastify keeps one per server: each plugin context asks for a
// compiler, and a fresh pool meant a fresh Ajv (its meta-schema compiled again) every time, and
// every route schema compiled again by each test server. Ajv remembers compiled schemas by object.
const fromPool = AjvCompiler();

export const buildValidator: BuildCompilerFromPool = (externalSchemas, options) => {
  const coercing = fromPool(externalSchemas, options);
  const strict = fromPool(externalSchemas, {
    ...options,
    mode: undefined,
    customOptions: { ...(options?.mode === 'JTD' ? {} : options?.customOptions), coerceTypes: false },
  });
  return (route) => compiledOnFirstUse(() => rejectUnsafeNumbers((route.httpPart === 'body' ? strict : coercing)(route)));
};

/**
 * A validator compiled when a request first needs it, not when its route is registered. Compiling
 * every route's schemas at start-up was 11 % of a test process's CPU (about 0.8 CPU-s of the 250
 * processes `npm test` starts, most of which call a handful of routes) and delays every start.
 * Fastify reads `schemaEnv` before each call and `errors` after it: both come from the compiled one.
 * A schema Ajv cannot compile now fails its route's first request with a 500, not the start:
 * http/bad-input.test.ts calls every route, so it still fails the suite.
 */
function compiledOnFirstUse(compile: () => Validate): Validate {
  let compiled: Validate | undefined;
  const validator = (): Validate => (compiled ??= compile());
  const lazy = (data: unknown, context?: unknown): unknown =>
    (validator() as unknown as (data: unknown, context?: unknown) => unknown)(data, context);
  Object.defineProperty(lazy, 'errors', { get: () => validator().errors, enumerable: true });
  Object.defineProperty(lazy, 'schemaEnv', { get: () => (validator() as unknown as { schemaEnv?: unknown }).schemaEnv });
  return lazy as unknown as Validate;
}
