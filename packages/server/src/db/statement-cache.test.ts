import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'libsql';
import { Kysely, SqliteDialect } from 'kysely';
import { cachingStatements } from './statement-cache.js';

void test('a statement is prepared once per SQL text and kept, the least recently used dropped past the bound', () => {
  const database = new Database(':memory:');
  const cached = cachingStatements(database, 2);
  const a = cached.prepare('select 1 as n');
  assert.equal(cached.prepare('select 1 as n'), a);
  const b = cached.prepare('select 2 as n');
  cached.prepare('select 1 as n'); // a is now the most recent
  cached.prepare('select 3 as n'); // evicts b
  assert.equal(cached.prepare('select 1 as n'), a);
  assert.notEqual(cached.prepare('select 2 as n'), b);
  cached.close();
});

void test('queries through Kysely on kept statements return fresh results, schema changes included', async () => {
  const db = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database: cachingStatements(new Database(':memory:')) }) });
  await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('v', 'text').execute();
  for (const v of ['x', 'y']) await db.insertInto('t').values({ id: v === 'x' ? 1 : 2, v }).execute();
  const read = (id: number) => db.selectFrom('t').select('v').where('id', '=', id).executeTakeFirst();
  assert.equal((await read(1))?.v, 'x');
  assert.equal((await read(2))?.v, 'y');
  await db.schema.alterTable('t').addColumn('w', 'text').execute();
  await db.updateTable('t').set({ v: 'z' }).where('id', '=', 1).execute();
  assert.equal((await read(1))?.v, 'z');
  await db.destroy();
});
