/**
 * Inactive families (inactivity/sweep.ts) on a real server with a manual clock and a real SMTP sink:
 * a family nobody signs in to is warned after the inactivity period and deleted after the grace
 * period; a sign-in in between keeps the family; every run is idempotent (no second warning); the
 * tripwires' canary family is left alone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { createSmtpMailer } from '../mail/index.js';
import { PASSWORD, expectStatus, family } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { pino } from 'pino';
import { insertFamily } from '../families/store.js';
import { deleteInBatches } from '../maintenance/index.js';
import { createInactivitySweep, INACTIVITY_DEFAULTS } from './index.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(Date.UTC(2026, 0, 10));
let server: TestServer;
let sink: SmtpSink;
let call: Call;
let closeMailer: () => void = () => undefined;

before(async () => {
  sink = await startSmtpSink();
  const mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <no-reply@burrow.test>', ignoreTLS: true });
  closeMailer = () => mailer.close();
  // One canary account and the canary family: nobody signs in to it, and it must stay (tripwires/).
  server = await startTestServer({ mailer, clock, tripwires: { canaryAccounts: 1 } });
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
  closeMailer();
  await sink.close();
});

const WARNING = /will be deleted unless someone signs in/;
const DELETED = /deleted after a long time unused/;
const mailsTo = (to: string, subject: RegExp) => sink.mails.filter((m) => m.to === to && subject.test(m.subject));

async function familyExists(familyId: string): Promise<boolean> {
  return (await server.db.selectFrom('families').select('id').where('id', '=', familyId).executeTakeFirst()) !== undefined;
}

async function runMaintenance(): Promise<number> {
  const results = await server.services.maintenance.run();
  return results.inactiveFamilies?.deleted ?? -1;
}

test('an unused family is warned after the inactivity period and deleted after the grace period; a sign-in in between keeps the other', async () => {
  const { inactiveAfterDays, graceDays } = INACTIVITY_DEFAULTS;
  const canary = (await server.services.tripwires.planted).family;
  assert.ok(canary, 'the canary family was planted');
  const unused = await family(call);
  const kept = await family(call);
  const start = clock.now();
  assert.equal(await runMaintenance(), 0, 'the first run only records the families');

  clock.set(start + (inactiveAfterDays - 1) * DAY);
  await runMaintenance();
  assert.equal(mailsTo(unused.guardian.email, WARNING).length, 0, 'no warning a day before the period ends');

  clock.set(start + (inactiveAfterDays + 1) * DAY);
  await runMaintenance();
  const [warning] = mailsTo(unused.guardian.email, WARNING);
  assert.ok(warning, 'the guardian of the unused family is warned');
  const deleteDate = new Date(clock.now() + graceDays * DAY).toISOString().slice(0, 10);
  assert.match(warning.text, new RegExp(`after ${deleteDate}`), 'the warning says when');
  assert.doesNotMatch(warning.text, /https?:\/\//, 'the warning carries no link');
  assert.equal(mailsTo(kept.guardian.email, WARNING).length, 1, 'the other family is warned too');

  // A second run the same day (or a second node) warns nobody again.
  await runMaintenance();
  assert.equal(mailsTo(unused.guardian.email, WARNING).length, 1, 'warned once');

  // Ten days later the other family's guardian signs in: that family is kept.
  clock.advance(10 * DAY);
  expectStatus(await call('POST', '/v1/sessions', { body: { email: kept.guardian.email, password: PASSWORD } }), 200, 'logIn');

  clock.advance((graceDays - 10) * DAY - 1);
  assert.equal(await runMaintenance(), 0, 'nothing is deleted before the grace period ends');
  assert.ok(await familyExists(unused.familyId));

  clock.advance(1);
  assert.equal(await runMaintenance(), 1, 'one family deleted');
  assert.equal(await familyExists(unused.familyId), false, 'the unused family is gone');
  assert.equal(await familyExists(kept.familyId), true, 'the family someone signed in to is kept');
  const gone = await sink.next(unused.guardian.email, DELETED);
  assert.match(gone.text, /nobody signed in after the warning/);
  const row = await server.db.selectFrom('family_inactivity').selectAll().where('family_id', '=', kept.familyId).executeTakeFirstOrThrow();
  assert.equal(row.warned_at, null, 'the sign-in took the warning back');
  assert.equal(
    (await server.db.selectFrom('family_inactivity').select('family_id').where('family_id', '=', unused.familyId).executeTakeFirst()),
    undefined,
    "the deleted family's inactivity row went with it",
  );

  // The kept family counts from the sign-in: no new warning now, nor a deletion a month later.
  clock.advance(graceDays * DAY);
  await runMaintenance();
  assert.equal(mailsTo(kept.guardian.email, WARNING).length, 1, 'no second warning after the sign-in');
  assert.equal(mailsTo(kept.guardian.email, DELETED).length, 0);
  assert.ok(await familyExists(kept.familyId));
  // The canary family is left alone: never warned (its mail would raise a tripwire), never deleted.
  assert.ok(await familyExists(canary.familyId), 'the canary family stays');
  assert.equal(await server.db.selectFrom('family_inactivity').select('family_id').where('family_id', '=', canary.familyId).executeTakeFirst(), undefined);
  assert.deepEqual(server.services.tripwires.alerts.metrics().raised, {}, 'no tripwire fired');
});

test('the pass goes in bounded pages with a pause between them, and a restart in the middle repeats nothing', async () => {
  const ids = Array.from({ length: 25 }, (_, i) => `batched-family-${String(i).padStart(2, '0')}`);
  for (const id of ids) await insertFamily(server.db, id, clock.now());
  const ports = {
    db: server.db,
    clock,
    log: pino({ level: 'silent' }),
    mailer: createSmtpMailer({ url: sink.url, from: 'Burrow <no-reply@burrow.test>', ignoreTLS: true }),
    emails: server.services.emails,
    config: INACTIVITY_DEFAULTS,
    deleteFamily: () => Promise.reject(new Error('nothing is due for deletion here')),
  };
  const recorded = async () =>
    (await server.db.selectFrom('family_inactivity').select(['family_id', 'last_sign_in_at']).where('family_id', 'in', ids).orderBy('family_id').execute()).map(
      (r) => [r.family_id, Number(r.last_sign_in_at)],
    );
  try {
    // One page of 10, then the process "restarts": a new sweep starts the pass again from the first family.
    const first = await createInactivitySweep(ports)(10);
    assert.equal(first.scanned, 10);
    const at = clock.now();
    clock.advance(DAY);
    const restarted = createInactivitySweep(ports);
    const sizes: number[] = [];
    let pauses = 0;
    const result = await deleteInBatches(
      async (limit) => {
        sizes.push(limit);
        return restarted(limit);
      },
      { batchSize: 10, startSize: 10, pause: () => Promise.resolve(void pauses++) },
    );
    const total = Number((await server.db.selectFrom('families').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    assert.ok(result.batches >= Math.ceil(total / 10) && result.batches > 2, `${String(result.batches)} pages for ${String(total)} families`);
    assert.ok(sizes.every((n) => n <= 10), 'no page larger than the batch size');
    assert.equal(pauses, result.batches - 1, 'a turn of the event loop between every two pages');
    assert.equal(result.deleted, 0);
    const rows = await recorded();
    assert.equal(rows.length, ids.length, 'every family recorded once, those of the interrupted page included');
    const again = await deleteInBatches(createInactivitySweep(ports), { batchSize: 10 });
    assert.equal(again.deleted, 0);
    assert.deepEqual(await recorded(), rows, 'a second pass changes nothing');
    assert.ok(rows.every(([, t]) => t === at || t === at + DAY), 'each counts from the run that first saw it');
  } finally {
    ports.mailer.close();
  }
});
