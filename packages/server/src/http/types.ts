import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Blobs } from '../blobs/index.js';
import type { Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { CoreConfig as Config } from '../config.js';
import type { Db } from '../db/index.js';

/** The Fastify instance with the TypeBox type provider, as every route plugin sees it. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The ports every service may be built from. */
export interface Ports {
  config: Config;
  db: Db;
  blobs: Blobs;
  bus: Bus;
  clock: Clock;
}

export interface RouteContext {
  config: Config;
}
