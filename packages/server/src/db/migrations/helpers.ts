import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

/** A migration written once for both dialects; `dialect` picks the few types that differ. */
export interface DialectMigration {
  up: (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;
  down?: (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;
}

/** An auto-incrementing integer primary key: `integer primary key autoincrement` vs `bigserial`. */
export function addAutoIdColumn<T extends string>(
  table: CreateTableBuilder<T>,
  name: string,
  dialect: Dialect,
): CreateTableBuilder<T> {
  return dialect === 'sqlite'
    ? table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement())
    : table.addColumn(name, 'bigserial', (c) => c.primaryKey());
}
