/**
 * The reply serializer compiler (app.ts passes it as `schemaController.compilersFactory.buildSerializer`):
 * Fastify's own fast-json-stringify compiler, remembered per schema object. Fastify compiles one
 * serializer per route and status code, but most of them share a schema object (the error reply, a
 * page of messages): one server start compiled 362 serializers from 59 schemas, and every test
 * server paid for it again. A serializer depends only on its schema and the options and external
 * schemas here, so the same object gets the same function, once per process.
 */
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

type Compile = ReturnType<SerializerFactory>;
type Serializer = ReturnType<Compile>;

const fromPool = SerializerSelector();
/** One entry per distinct (external schemas, options) pair: its compiler and what it compiled. */
const pools = new Map<string, { compile: Compile; bySchema: WeakMap<object, Serializer> }>();

export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const key = JSON.stringify([externalSchemas ?? null, options ?? null]);
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = { compile: fromPool(externalSchemas, options), bySchema: new WeakMap() };
    pools.set(key, pool);
  }
  const { compile, bySchema } = pool;
  return (route) => {
    const schema = route.schema;
    if (schema === null || typeof schema !== 'object') return compile(route);
    let serializer = bySchema.get(schema);
    if (serializer === undefined) {
      serializer = compiledOnFirstUse(() => compile(route));
      bySchema.set(schema, serializer);
    }
    return serializer;
  };
};

/**
 * A serializer compiled when a reply first needs it: compiling all of them at start-up was 10 % of a
 * test process's CPU, for routes most test files never call (as with http/validator.ts).
 */
function compiledOnFirstUse(compile: () => Serializer): Serializer {
  let compiled: Serializer | undefined;
  return ((data: unknown) => (compiled ??= compile())(data)) as Serializer;
}
