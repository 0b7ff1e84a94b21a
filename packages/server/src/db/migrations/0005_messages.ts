import { sql } from 'kysely';
import { addAutoIdColumn, type DialectMigration } from './helpers.js';

/** Blob index, messages (signed envelopes), one row per recipient device, and receipts. */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable('blobs')
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('uploaded_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('blobs_pk', ['family_id', 'hash'])
      .execute();
    await addAutoIdColumn(db.schema.createTable('messages'), 'seq', dialect)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('family_id', 'text', (c) => c.notNull().references('families.id').onDelete('cascade'))
      .addColumn('sender_id', 'text', (c) => c.notNull())
      .addColumn('envelope', 'text', (c) => c.notNull())
      .addColumn('blob_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_sender_seq').on('messages').columns(['sender_id', 'seq']).execute();
    await db.schema.createIndex('messages_family_id').on('messages').column('family_id').execute();
    await db.schema
      .createTable('message_recipients')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('message_seq', 'bigint', (c) => c.notNull().references('messages.seq').onDelete('cascade'))
      .addPrimaryKeyConstraint('message_recipients_pk', ['device_id', 'message_seq'])
      .execute();
    await db.schema
      .createTable('receipts')
      .addColumn('message_seq', 'bigint', (c) => c.notNull().references('messages.seq').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('delivered', 'played')`))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('receipts_pk', ['message_seq', 'device_id', 'kind'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('receipts').execute();
    await db.schema.dropTable('message_recipients').execute();
    await db.schema.dropTable('messages').execute();
    await db.schema.dropTable('blobs').execute();
  },
};
