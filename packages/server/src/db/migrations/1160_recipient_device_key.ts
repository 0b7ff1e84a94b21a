import { sql } from 'kysely';
import type { DialectMigration } from './helpers.js';

/**
 * A message's recipient rows belong to their device (issue 13 item 2; docs/privacy.md):
 * `message_recipients.device_id` gets a foreign key to `devices` with ON DELETE CASCADE. A send that
 * checked the roster before a recipient device was deleted (its account erased, a toy unpaired) and
 * queued the message after left a row naming the deleted device (erasure/recipients-during-erasure.test);
 * with the key no such row can exist, whoever writes it, and deleting a device deletes its queue in
 * the same statement. The send itself queues only devices that still exist (messages/store.ts
 * insertMessage), so the key never fails it.
 *
 * Rows already naming a deleted device (written by that race) go first. SQLite cannot add a foreign
 * key to a table: it copies the rows into a new table that has it, and creates 0711's index again.
 * The primary key (device_id, message_seq) already serves the cascade's look-up by device.
 */
export const migration: DialectMigration = {
  async up(db, dialect) {
    await sql`DELETE FROM message_recipients WHERE NOT EXISTS (SELECT 1 FROM devices WHERE devices.id = message_recipients.device_id)`.execute(db);
    if (dialect === 'postgres') {
      await sql`ALTER TABLE message_recipients ADD CONSTRAINT message_recipients_device
        FOREIGN KEY (device_id) REFERENCES devices(id) ON DELETE CASCADE`.execute(db);
      return;
    }
    await db.schema
      .createTable('message_recipients_keyed')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('message_seq', 'bigint', (c) => c.notNull().references('messages.seq').onDelete('cascade'))
      .addPrimaryKeyConstraint('message_recipients_pk', ['device_id', 'message_seq'])
      .execute();
    await sql`INSERT INTO message_recipients_keyed (device_id, message_seq) SELECT device_id, message_seq FROM message_recipients`.execute(db);
    // Nothing references message_recipients, so dropping it is safe with foreign keys on; its index goes with it.
    await db.schema.dropTable('message_recipients').execute();
    await db.schema.alterTable('message_recipients_keyed').renameTo('message_recipients').execute();
    await db.schema.createIndex('message_recipients_message').on('message_recipients').column('message_seq').execute();
  },
};
