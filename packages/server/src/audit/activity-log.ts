/**
 * Feeds the family activity log: one pending event per successful request that the log records
 * (activity-sources.ts) and per toy going online or offline, queued and written in batches after the
 * answer (never on the request's path), each family's events appended to its hash chain in order.
 * What a request alone does not say is looked up once per batch: the families of an account that
 * signed in, a message's family and toys, the devices a new roster version added or removed.
 * A failed write is logged and dropped, as for the audit trail: the log must not take the service down.
 */
import type { ActivityKind } from '@burrow/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { ACTIVITY_OF_OPERATION, ID_FROM_ANSWER } from './activity-sources.js';
import { appendActivity, type NewActivity } from './activity-store.js';
import { operationIdOf, requestFacts } from './request-facts.js';

/** An event as the request or the stream saw it, before the batch fills in what it lacks. */
export interface PendingActivity {
  kind: ActivityKind;
  at: number;
  familyId: string | null;
  accountId: string | null;
  deviceId: string | null;
  toyId: string | null;
  subject: string | null;
  /** publishRoster: the version published. */
  rosterVersion?: number;
}

export interface ActivityLog {
  record(event: PendingActivity): void;
  /** Toy presence (stream/presence.ts): a toy's first socket opened, or its last closed. */
  presence: (toyId: string, familyId: string, online: boolean, at: number) => void;
  flush(): Promise<void>;
  stats(): { written: number; dropped: number };
}

interface Log {
  error: (obj: object, msg: string) => void;
}

const MESSAGE_KINDS = new Set<ActivityKind>(['message_sent', 'message_played', 'message_approved', 'message_declined']);

function rosterDeviceIds(json: string | undefined): Set<string> {
  if (json === undefined) return new Set();
  const roster = JSON.parse(json) as { devices?: { id?: unknown }[] };
  return new Set((roster.devices ?? []).map((d) => d.id).filter((id): id is string => typeof id === 'string'));
}

/** Turns pending events into chain events, looking up in a few queries what each kind lacks. */
async function resolve(db: Db, batch: PendingActivity[]): Promise<NewActivity[]> {
  const out: NewActivity[] = [];
  const push = (e: PendingActivity, over: Partial<PendingActivity> = {}) => {
    const x = { ...e, ...over };
    if (x.familyId !== null)
      out.push({ family_id: x.familyId, at: x.at, kind: x.kind, account_id: x.accountId, device_id: x.deviceId, toy_id: x.toyId, subject: x.subject });
  };

  const signInAccounts = [...new Set(batch.filter((e) => e.kind === 'sign_in' && e.accountId !== null).map((e) => e.accountId as string))];
  const familiesOf = new Map<string, string[]>();
  if (signInAccounts.length > 0)
    for (const r of await db.selectFrom('family_members').select(['account_id', 'family_id']).where('account_id', 'in', signInAccounts).execute())
      familiesOf.set(r.account_id, [...(familiesOf.get(r.account_id) ?? []), r.family_id]);

  const messageIds = [...new Set(batch.filter((e) => MESSAGE_KINDS.has(e.kind) && e.subject !== null).map((e) => e.subject as string))];
  const messageOf = new Map<string, { family: string; toys: string[] }>();
  if (messageIds.length > 0) {
    const rows = await db
      .selectFrom('messages')
      .leftJoin('message_recipients', 'message_recipients.message_seq', 'messages.seq')
      .leftJoin('devices as recipient', (j) => j.onRef('recipient.id', '=', 'message_recipients.device_id').on('recipient.kind', '=', 'toy'))
      .leftJoin('devices as sender', (j) => j.onRef('sender.id', '=', 'messages.sender_id').on('sender.kind', '=', 'toy'))
      .select(['messages.id as id', 'messages.family_id as family', 'recipient.id as toy', 'sender.id as senderToy'])
      .where('messages.id', 'in', messageIds)
      .execute();
    for (const r of rows) {
      const m = messageOf.get(r.id) ?? { family: r.family, toys: [] };
      // Which toy: the toy it was sent to, or the toy that sent it (a child's message).
      for (const toy of [r.toy, r.senderToy]) if (toy !== null && !m.toys.includes(toy)) m.toys.push(toy);
      messageOf.set(r.id, m);
    }
  }

  for (const e of batch) {
    if (e.kind === 'sign_in') {
      for (const familyId of e.accountId === null ? [] : (familiesOf.get(e.accountId) ?? [])) push(e, { familyId });
    } else if (e.kind === 'device_added' && e.rosterVersion !== undefined && e.familyId !== null) {
      const versions = await db
        .selectFrom('rosters')
        .select(['version', 'roster'])
        .where('family_id', '=', e.familyId)
        .where('version', 'in', [e.rosterVersion - 1, e.rosterVersion])
        .execute();
      const was = rosterDeviceIds(versions.find((v) => v.version === e.rosterVersion! - 1)?.roster);
      const now = rosterDeviceIds(versions.find((v) => v.version === e.rosterVersion)?.roster);
      for (const id of now) if (!was.has(id)) push(e, { subject: id });
      for (const id of was) if (!now.has(id)) push(e, { kind: 'device_removed', subject: id });
    } else if (MESSAGE_KINDS.has(e.kind) && e.subject !== null) {
      const m = messageOf.get(e.subject);
      const familyId = e.familyId ?? m?.family ?? null;
      // A toy that sent or played it is the toy; else each toy the message concerns (or none).
      const toys = e.toyId !== null ? [e.toyId] : (m?.toys ?? []);
      if (toys.length === 0) push(e, { familyId });
      else for (const toyId of toys) push(e, { familyId, toyId });
    } else push(e);
  }
  // A family deleted since its events were recorded keeps none of them: appendActivity drops them,
  // checking under a lock inside its transaction (families/store.ts lockExistingFamilies).
  return out;
}

export function createActivityLog({ db, log, flushMs = 200, maxBatch = 500 }: { db: Db; log: Log; flushMs?: number; maxBatch?: number }): ActivityLog {
  let queue: PendingActivity[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const counts = { written: 0, dropped: 0 };

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return running;
    // One batch after another, so each family's events join its chain in the order they happened.
    running = running.then(async () => {
      try {
        counts.written += await appendActivity(db, await resolve(db, batch));
      } catch (err) {
        counts.dropped += batch.length;
        log.error({ err: err instanceof Error ? err.message : String(err), events: batch.length }, 'family activity write failed');
      }
    });
    return running;
  }

  const record = (event: PendingActivity): void => {
    queue.push(event);
    if (queue.length >= maxBatch) void flush();
    else timer ??= setTimeout(() => void flush(), flushMs);
  };
  return {
    record,
    presence(toyId, familyId, online, at) {
      record({ kind: online ? 'toy_online' : 'toy_offline', at, familyId, accountId: null, deviceId: toyId, toyId, subject: null });
    },
    flush,
    stats: () => ({ ...counts }),
  };
}

const TOY_KINDS = new Set<ActivityKind>(['toy_paired', 'toy_unpaired', 'toy_renamed', 'toy_settings_changed']);
const fromAnswer = new WeakMap<FastifyRequest, string>();
/** deleteMessage: the message's family, read before the message is gone. */
const familyBefore = new WeakMap<FastifyRequest, string>();

/** Registers the hooks that turn answered requests into family activity. */
export function registerFamilyActivity(app: FastifyInstance, { activity, db, clock }: { activity: ActivityLog; db: Db; clock: Clock }): void {
  app.addHook('preHandler', async (request) => {
    if (operationIdOf(request) !== 'deleteMessage') return;
    const messageId = (request.params as { messageId?: unknown }).messageId;
    if (typeof messageId !== 'string') return;
    const row = await db.selectFrom('messages').select('family_id').where('id', '=', messageId).executeTakeFirst();
    if (row) familyBefore.set(request, row.family_id);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const pattern = ID_FROM_ANSWER[operationIdOf(request) ?? ''];
    if (pattern && reply.statusCode < 300 && typeof payload === 'string') {
      const id = pattern.exec(payload)?.[1];
      if (id) fromAnswer.set(request, id);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const operationId = operationIdOf(request);
    const kind = operationId === null ? undefined : ACTIVITY_OF_OPERATION[operationId];
    if (kind === undefined || reply.statusCode >= 300) return done();
    const facts = requestFacts(request, reply);
    const answered = fromAnswer.get(request) ?? null;
    const body = (request.body ?? {}) as { kind?: unknown; accountId?: unknown; roster?: { version?: unknown } };
    const toyPrincipal = request.principal?.kind === 'toy' ? request.principal.toyId : null;
    const event: PendingActivity = {
      kind,
      at: clock.now(),
      familyId: facts.familyId,
      accountId: facts.accountId,
      deviceId: facts.deviceId,
      toyId: toyPrincipal,
      subject: facts.resource,
    };
    if (kind === 'sign_in') {
      if (answered === null) return done(); // a second factor is still due: not signed in yet
      event.accountId = answered;
    } else if (kind === 'message_played' && body.kind !== 'played') return done();
    else if (kind === 'join_requested') event.familyId = answered;
    else if (kind === 'message_deleted') event.familyId = familyBefore.get(request) ?? null;
    else if (kind === 'device_added') {
      if (typeof body.roster?.version !== 'number') return done();
      event.rosterVersion = body.roster.version;
    } else if (kind === 'member_blocked' && typeof body.accountId === 'string') event.subject = body.accountId;
    else if (TOY_KINDS.has(kind)) event.toyId = answered ?? facts.resource;
    else if (answered !== null) event.subject = answered;
    activity.record(event);
    done();
  });
  app.addHook('onClose', async () => {
    await activity.flush();
  });
}
