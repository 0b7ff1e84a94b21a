/**
 * Runs the numbered migrations with Kysely's Migrator. Migrations are imported statically (no
 * directory scan), are never edited once they land, and a new one is a new numbered file listed here.
 */
import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { Db, Dialect } from './schema.js';
import { unrecorded } from './query-shapes.js';
import type { DialectMigration } from './migrations/helpers.js';
import { migration as m0001 } from './migrations/0001_accounts.js';
import { migration as m0002 } from './migrations/0002_families.js';
import { migration as m0003 } from './migrations/0003_devices.js';
import { migration as m0004 } from './migrations/0004_pairings.js';
import { migration as m0005 } from './migrations/0005_messages.js';
import { migration as m0100 } from './migrations/0100_account_security.js';
import { migration as m0101 } from './migrations/0101_second_factors.js';
import { migration as m0200 } from './migrations/0200_invitations.js';
import { migration as m0201 } from './migrations/0201_toy_settings.js';
import { migration as m0202 } from './migrations/0202_message_reviews.js';
import { migration as m0300 } from './migrations/0300_incidents.js';
import { migration as m0400 } from './migrations/0400_toy_names.js';
import { migration as m0401 } from './migrations/0401_toy_presence.js';
import { migration as m0402 } from './migrations/0402_stream_tickets.js';
import { migration as m0350 } from './migrations/0350_audit_events.js';
import { migration as m0351 } from './migrations/0351_incident_inbox.js';
import { migration as m0600 } from './migrations/0600_toy_updates.js';
import { migration as m0601 } from './migrations/0601_toy_update_reports.js';
import { migration as m0700 } from './migrations/0700_family_blob_usage.js';
import { migration as m0740 } from './migrations/0740_device_kem_keys.js';
import { migration as m0750 } from './migrations/0750_scheduled_runs.js';
import { migration as m0790 } from './migrations/0790_member_names.js';
import { migration as m0710 } from './migrations/0710_retention.js';
import { migration as m0751 } from './migrations/0751_audit_principal_indexes.js';
import { migration as m0711 } from './migrations/0711_message_seq_indexes.js';
import { migration as m0770 } from './migrations/0770_family_activity.js';
import { migration as m0800 } from './migrations/0800_message_deletions.js';
import { migration as m0801 } from './migrations/0801_lost_toys.js';
import { migration as m0830 } from './migrations/0830_email_at_rest.js';
import { migration as m0880 } from './migrations/0880_recovery_endorsements.js';
import { migration as m0910 } from './migrations/0910_clear_leftovers_indexes.js';
import { migration as m0911 } from './migrations/0911_keyed_throttle.js';
import { migration as m0940 } from './migrations/0940_password_salt_index.js';
import { migration as m0840 } from './migrations/0840_stream_nodes.js';
import { migration as m0850 } from './migrations/0850_toy_favourites.js';
import { migration as m0870 } from './migrations/0870_family_inactivity.js';
import { migration as m0871 } from './migrations/0871_activity_summaries.js';
import { migration as m0860 } from './migrations/0860_device_successions.js';
import { migration as m1005 } from './migrations/1005_activity_family_keys.js';
import { migration as m1160 } from './migrations/1160_recipient_device_key.js';

const all: Record<string, DialectMigration> = {
  '0001_accounts': m0001,
  '0002_families': m0002,
  '0003_devices': m0003,
  '0004_pairings': m0004,
  '0005_messages': m0005,
  '0100_account_security': m0100,
  '0101_second_factors': m0101,
  '0200_invitations': m0200,
  '0201_toy_settings': m0201,
  '0202_message_reviews': m0202,
  '0300_incidents': m0300,
  '0400_toy_names': m0400,
  '0401_toy_presence': m0401,
  '0402_stream_tickets': m0402,
  '0350_audit_events': m0350,
  '0351_incident_inbox': m0351,
  '0600_toy_updates': m0600,
  '0601_toy_update_reports': m0601,
  '0700_family_blob_usage': m0700,
  '0740_device_kem_keys': m0740,
  '0750_scheduled_runs': m0750,
  '0710_retention': m0710,
  '0751_audit_principal_indexes': m0751,
  '0711_message_seq_indexes': m0711,
  '0790_member_names': m0790,
  '0770_family_activity': m0770,
  '0800_message_deletions': m0800,
  '0801_lost_toys': m0801,
  '0830_email_at_rest': m0830,
  '0840_stream_nodes': m0840,
  '0850_toy_favourites': m0850,
  '0870_family_inactivity': m0870,
  '0871_activity_summaries': m0871,
  '0860_device_successions': m0860,
  '0880_recovery_endorsements': m0880,
  '0910_clear_leftovers_indexes': m0910,
  '0911_keyed_throttle': m0911,
  '0940_password_salt_index': m0940,
  '1005_activity_family_keys': m1005,
  '1160_recipient_device_key': m1160,
};

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(all).map(([name, m]) => {
      const { down } = m;
      const migration: Migration = {
        up: (db) => m.up(db, dialect),
        ...(down ? { down: (db) => down(db, dialect) } : {}),
      };
      return [name, migration];
    }),
  );
}

/** Applies every pending migration; throws (with the failing migration's name) if one fails. */
export async function migrate(db: Db, dialect: Dialect): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrationsFor(dialect)) },
    // Work in parallel gets number ranges (0700s, 0750s, …) and lands in any order: a database that
    // already ran 0750 must still run a 0710 that landed after it, rather than refuse to start.
    allowUnorderedMigrations: true,
  });
  // Schema changes are not query shapes the PostgreSQL lane must repeat: its template database ran them.
  const result = await unrecorded(() => migrator.migrateToLatest());
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed`, { cause: result.error });
  }
  return result;
}
