import assert from 'node:assert/strict';
import test from 'node:test';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely';
import { queryShape } from './query-shapes.js';

interface Tables {
  messages: { id: string; family_id: string; seq: number };
}

// Builders only: the shapes are taken before compilation, so no database is needed.
const sqlite = new Kysely<Tables>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});
const postgres = new Kysely<Tables>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const select = (db: Kysely<Tables>, family: string, ids: string[]) =>
  db.selectFrom('messages').select(['id', 'seq']).where('family_id', '=', family).where('id', 'in', ids).toOperationNode();

test('a query has one shape whatever its values, its list lengths and its dialect', () => {
  const one = queryShape(select(sqlite, 'f1', ['a']));
  assert.equal(queryShape(select(sqlite, 'f2', ['b', 'c', 'd'])), one);
  assert.equal(queryShape(select(postgres, 'f3', ['e', 'f'])), one);
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `m${String(i)}`, family_id: 'f', seq: i }));
  assert.equal(
    queryShape(sqlite.insertInto('messages').values(rows(1)).toOperationNode()),
    queryShape(postgres.insertInto('messages').values(rows(5)).toOperationNode()),
  );
  assert.equal(
    queryShape(sql`select ${1} as n`.compile(sqlite).query),
    queryShape(sql`select ${2} as n`.compile(postgres).query),
  );
});

test('a different column, condition or statement is a different shape', () => {
  const base = queryShape(select(sqlite, 'f', ['a']));
  const shapes = [
    base,
    queryShape(sqlite.selectFrom('messages').select(['id']).where('family_id', '=', 'f').where('id', 'in', ['a']).toOperationNode()),
    queryShape(sqlite.selectFrom('messages').select(['id', 'seq']).where('family_id', '=', 'f').where('id', 'not in', ['a']).toOperationNode()),
    queryShape(sqlite.deleteFrom('messages').where('family_id', '=', 'f').where('id', 'in', ['a']).toOperationNode()),
    queryShape(sql`select ${1} as m`.compile(sqlite).query),
  ];
  assert.equal(new Set(shapes).size, shapes.length);
});

test('a row lock only PostgreSQL needs leaves the shape as it is', () => {
  const read = (db: Kysely<Tables>) => db.selectFrom('messages').selectAll().where('family_id', '=', 'f');
  assert.equal(queryShape(read(postgres).forUpdate().toOperationNode()), queryShape(read(sqlite).toOperationNode()));
  assert.notEqual(queryShape(read(postgres).limit(1).toOperationNode()), queryShape(read(sqlite).toOperationNode()));
});
