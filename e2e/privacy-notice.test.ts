/**
 * The periods the privacy notice states (packages/web/src/app/privacy.tsx, its texts in en.ts and
 * de.ts) and docs/privacy.md states are the defaults of the values they name: each period is found in
 * its sentence in both languages and in the doc, and every number in the notice is one of them — so
 * a default changed without the notice, or a notice changed without the code, fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ACTIVITY_DAYS, ACTIVITY_SUMMARY_DAYS, RETENTION_DAYS, UNFETCHED_EXPIRY_DAYS } from '@burrow/api';
import { de } from '../packages/web/src/i18n/locales/de.js';
import { en } from '../packages/web/src/i18n/locales/en.js';
import { IP_KEEP_DAYS } from '../packages/server/src/accounts/ip-fade.js';
import { parseWatchConfig } from '../packages/server/src/anomalies/config.js';
import { parseBackupSchedule } from '../packages/server/src/backup/config.js';
import { parseInactivityConfig } from '../packages/server/src/inactivity/config.js';

const DAY = 24 * 60 * 60 * 1000;

// The defaults as the server reads them from an environment that sets nothing.
const inactivity = parseInactivityConfig({});
const auditDays = parseWatchConfig({}).auditRetentionMs / DAY;
const backupKeep = parseBackupSchedule({ BURROW_BACKUP_EVERY: '1d', BURROW_BACKUP_DIR: '/backups', BURROW_BACKUP_RECIPIENT: 'age1operator' })?.keep;

/** Each period: its value, and the words around it in each language. */
const periods: { name: string; value: number | undefined; en: string; de: string }[] = [
  { name: 'RETENTION_DAYS.default', value: RETENTION_DAYS.default, en: `it is ${String(RETENTION_DAYS.default)} days old`, de: `sie ${String(RETENTION_DAYS.default)} Tage alt ist` },
  { name: 'RETENTION_DAYS.min', value: RETENTION_DAYS.min, en: `choose ${String(RETENTION_DAYS.min)} to`, de: `Familie ${String(RETENTION_DAYS.min)} bis` },
  { name: 'RETENTION_DAYS.max', value: RETENTION_DAYS.max, en: `to ${String(RETENTION_DAYS.max)} days on the Family page`, de: `bis ${String(RETENTION_DAYS.max)} Tage wählen` },
  { name: 'UNFETCHED_EXPIRY_DAYS', value: UNFETCHED_EXPIRY_DAYS, en: `not fetched ${String(UNFETCHED_EXPIRY_DAYS)} days after it was sent`, de: `${String(UNFETCHED_EXPIRY_DAYS)} Tage nach dem Senden` },
  { name: 'ACTIVITY_DAYS', value: ACTIVITY_DAYS, en: `is kept ${String(ACTIVITY_DAYS)} days`, de: `bleibt ${String(ACTIVITY_DAYS)} Tage` },
  { name: 'ACTIVITY_SUMMARY_DAYS', value: ACTIVITY_SUMMARY_DAYS, en: `by mail every ${String(ACTIVITY_SUMMARY_DAYS)} days`, de: `alle ${String(ACTIVITY_SUMMARY_DAYS)} Tage eine Zusammenfassung` },
  { name: 'BURROW_AUDIT_RETENTION_DAYS', value: auditDays, en: `audit trail is kept ${String(auditDays)} days`, de: `Prüfprotokoll bleibt ${String(auditDays)} Tage` },
  { name: 'IP_KEEP_DAYS', value: IP_KEEP_DAYS, en: `after ${String(IP_KEEP_DAYS)} days an internet address`, de: `nach ${String(IP_KEEP_DAYS)} Tagen wird eine Internetadresse` },
  { name: 'BURROW_INACTIVE_FAMILY_DAYS', value: inactivity.inactiveAfterDays, en: `signed in for ${String(inactivity.inactiveAfterDays)} days`, de: `sich ${String(inactivity.inactiveAfterDays)} Tage lang niemand` },
  { name: 'BURROW_INACTIVE_FAMILY_GRACE_DAYS', value: inactivity.graceDays, en: `deleted ${String(inactivity.graceDays)} days later`, de: `sie ${String(inactivity.graceDays)} Tage später` },
  { name: 'BURROW_BACKUP_KEEP', value: backupKeep, en: `the last ${String(backupKeep)} scheduled backups`, de: `die letzten ${String(backupKeep)} geplanten Sicherungen` },
];

const notice = { en: Object.values(en.privacy).join('\n'), de: Object.values(de.privacy).join('\n') };
const numbersIn = (text: string): number[] => (text.match(/\d+/g) ?? []).map(Number).sort((a, b) => a - b);

for (const language of ['en', 'de'] as const) {
  void test(`the privacy notice (${language}) states each period as the default of its configuration value, and no other number`, () => {
    for (const p of periods) {
      assert.equal(typeof p.value, 'number', `${p.name} has a default`);
      assert.ok(notice[language].includes(p[language]), `${p.name} = ${String(p.value)}: the notice says “${p[language]}”`);
    }
    assert.deepEqual(numbersIn(notice[language]), periods.map((p) => p.value!).sort((a, b) => a - b), 'every number in the notice is one of the periods');
  });
}

void test('docs/privacy.md names each period with its default', () => {
  const doc = readFileSync(new URL('../docs/privacy.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const statements = [
    `${String(RETENTION_DAYS.default)} days unless a guardian sets ${String(RETENTION_DAYS.min)} to ${String(RETENTION_DAYS.max)} days`,
    `(\`UNFETCHED_EXPIRY_DAYS\`, ${String(UNFETCHED_EXPIRY_DAYS)})`,
    `\`ACTIVITY_DAYS\` (${String(ACTIVITY_DAYS)},`,
    `\`ACTIVITY_SUMMARY_DAYS\` (${String(ACTIVITY_SUMMARY_DAYS)},`,
    `\`BURROW_AUDIT_RETENTION_DAYS\` (default ${String(auditDays)},`,
    `\`IP_KEEP_DAYS\` (${String(IP_KEEP_DAYS)},`,
    `(\`BURROW_INACTIVE_FAMILY_DAYS\`, default ${String(inactivity.inactiveAfterDays)},`,
    `(\`BURROW_INACTIVE_FAMILY_GRACE_DAYS\`, default ${String(inactivity.graceDays)},`,
    `\`BURROW_BACKUP_KEEP\`, default ${String(backupKeep)}:`,
  ];
  for (const s of statements) assert.ok(doc.includes(s), `docs/privacy.md says “${s}”`);
});
