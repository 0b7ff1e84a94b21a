/**
 * Typed HTTP client for the Burrow API (docs/api.md). One method per operationId; it holds the bearer
 * token and the acting device id, and turns error bodies into ApiError. It runs in browsers and Node 20
 * (global fetch). Browsers may leave `token` unset and rely on the HttpOnly session cookie.
 */
import type {
  ToySyncQuery,
  ToySyncResponse,
  ConfirmOwnerBody,
  ApproveResponse,
  CheckInvitationResponse,
  BlockResponse,
  ClaimToyBody,
  RecoverGuardianBody,
  RecoverGuardianResponse,
  RecoveryEndorsement,
  RecoveryEndorsementsResponse,
  ClaimToyResponse,
  CreateChildResponse,
  CreateFamilyResponse,
  CreateInvitationResponse,
  DeviceKeysBody,
  FamilyResponse,
  InboxResponse,
  JoinRequest,
  ListBlocksResponse,
  ListFavouritesResponse,
  SetFavouriteResponse,
  ToyFavouritesResponse,
  ListKemKeysResponse,
  ListJoinRequestsResponse,
  ListPendingDevicesResponse,
  ListReviewsResponse,
  ListRostersResponse,
  ListToysResponse,
  ListMemberNamesResponse,
  LookupResponse,
  MeResponse,
  OpenPairingResponse,
  PairingResponse,
  PublishKemKeyResponse,
  PublishRosterResponse,
  PutToySettingsResponse,
  ReceiptKind,
  RedeemInvitationResponse,
  RegisterDeviceResponse,
  RegisterToyResponse,
  ReviewedResponse,
  SecondFactorRequired,
  SendMessageResponse,
  SentResponse,
  SignedInResponse,
  SignUpResponse,
  StreamTicketResponse,
  ToyMeResponse,
  ToySettingsResponse,
  UnpairToyResponse,
  ListSuccessionRequestsResponse,
  ListSuccessionsResponse,
  PublishSuccessionResponse,
} from '@burrow/api';
import type { DeletionWire, EnvelopeWire, FavouriteWire, KemKeyRecord, ReviewWire, RosterWire, SuccessionRequest, SuccessionWire, ToySettingsWire } from '@burrow/protocol';
import { ApiError, refusalOf } from './api-error.js';

// The wire types are written once, in @burrow/api; these are the ones the client's callers name.
export type {
  AccountDevice,
  FamilyResponse,
  FamilyToy,
  InboxItem,
  JoinRequest,
  LookupResponse,
  PairingResponse,
  PendingDevice,
  PendingReview,
  ReviewedItem,
  SentItem,
} from '@burrow/api';

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  deviceId?: string;
  fetch?: typeof fetch;
}

/** A busy server's 503 is sent again at most this often, and only when asked to wait this long at most. */
export const BUSY_RETRIES = 2;
export const BUSY_RETRY_MAX_WAIT_S = 5;

/** Retry-After in whole seconds (RFC 9110 §10.2.3; the HTTP-date form is not used by Burrow). */
function retryAfterSeconds(res: Response): number | undefined {
  const value = res.headers.get('retry-after')?.trim();
  return value !== undefined && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}

export class ApiClient {
  readonly baseUrl: string;
  token: string | undefined;
  deviceId: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.deviceId = options.deviceId;
    const base = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
    // A network failure becomes an ApiError with status 0, so callers handle one error type.
    this.fetchImpl = async (...args) => {
      try {
        return await base(...args);
      } catch (err) {
        throw new ApiError(0, 'unreachable', `Cannot reach the Burrow server at ${this.baseUrl}${err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : ''}.`);
      }
    };
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (this.deviceId) h['x-burrow-device'] = this.deviceId;
    return h;
  }

  /**
   * One API call. `retry`: the call may be sent again as it is (a GET, or a write the server
   * recognises when repeated); defaults to true for GET only. See `send` for what is retried.
   */
  async request<T>(method: string, path: string, body?: unknown, { retry = method === 'GET' }: { retry?: boolean } = {}): Promise<T> {
    const init: RequestInit = { method, headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }), credentials: 'same-origin' };
    if (body !== undefined) init.body = JSON.stringify(body);
    return this.read<T>(await this.send(this.baseUrl + path, init, retry));
  }

  /**
   * Sends a request; a retryable one refused with 503 and a short Retry-After (the server is busy:
   * back-pressure, docs/performance.md) is sent again after the wait, up to BUSY_RETRIES times. Only
   * calls that are safe to repeat are retried: the server may have done the work before a 503 that
   * came from a dependency going away. Any other 503 reaches the caller as an ApiError carrying the
   * server's "try again in N s" message and `retryAfterSeconds`.
   */
  private async send(url: string, init: RequestInit, retry: boolean): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetchImpl(url, init);
      const wait = res.status === 503 ? retryAfterSeconds(res) : undefined;
      if (!retry || wait === undefined || wait > BUSY_RETRY_MAX_WAIT_S || attempt >= BUSY_RETRIES) return res;
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }

  private async read<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // fall through: a non-JSON body is reported below
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string; reason?: unknown; params?: unknown } } | undefined)?.error;
      const wait = retryAfterSeconds(res);
      // A proxy's bare 503 still tells the person what to do.
      const fallback =
        res.status === 503
          ? `The Burrow server is busy or unavailable; try again${wait === undefined ? ' in a moment' : ` in ${String(wait)} s`}.`
          : `HTTP ${res.status}`;
      throw new ApiError(
        res.status,
        err?.code ?? (res.status === 503 ? 'unavailable' : 'http_error'),
        err?.message ?? fallback,
        wait,
        refusalOf(err),
      );
    }
    return json as T;
  }

  signUp(email: string, password: string) {
    return this.request<SignUpResponse>('POST', '/v1/accounts', { email, password });
  }
  /** A session, or — when the account has a second factor — the pending sign-in to complete. */
  logIn(email: string, password: string) {
    return this.request<SignedInResponse | SecondFactorRequired>('POST', '/v1/sessions', { email, password });
  }
  logOut() {
    return this.request<void>('DELETE', '/v1/sessions/current');
  }
  getMe() {
    return this.request<MeResponse>('GET', '/v1/me');
  }
  registerDevice(body: DeviceKeysBody) {
    return this.request<RegisterDeviceResponse>('POST', '/v1/devices', body);
  }
  createFamily(roster: RosterWire) {
    return this.request<CreateFamilyResponse>('POST', '/v1/families', { roster });
  }
  getFamily(familyId: string) {
    return this.request<FamilyResponse>('GET', `/v1/families/${enc(familyId)}`);
  }
  /** Deletes the account (docs/api.md "Deleting"): the password, and a code with a second factor. */
  deleteAccount(proof: ConfirmOwnerBody) {
    return this.request<void>('POST', '/v1/me/deletion', proof);
  }
  /** Deletes the whole family, as a guardian device; the accounts stay. */
  deleteFamily(familyId: string, proof: ConfirmOwnerBody) {
    return this.request<void>('POST', `/v1/families/${enc(familyId)}/deletion`, proof);
  }
  /** Deletes a child's profile (their toys unpaired first). */
  deleteChild(familyId: string, childId: string) {
    return this.request<void>('DELETE', `/v1/families/${enc(familyId)}/children/${enc(childId)}`);
  }
  createChild(familyId: string, profile: EnvelopeWire) {
    return this.request<CreateChildResponse>('POST', `/v1/families/${enc(familyId)}/children`, { profile });
  }
  /** A child's profile sealed again to the current roster (docs/protocol.md §15). */
  replaceChildProfile(familyId: string, childId: string, profile: EnvelopeWire) {
    return this.request<void>('PUT', `/v1/families/${enc(familyId)}/children/${enc(childId)}/profile`, { profile });
  }
  /** The name a person's device goes by, sealed to the roster's people (docs/protocol.md §15). */
  putMemberName(familyId: string, deviceId: string, name: EnvelopeWire) {
    return this.request<void>('PUT', `/v1/families/${enc(familyId)}/member-names/${enc(deviceId)}`, { name });
  }
  listMemberNames(familyId: string) {
    return this.request<ListMemberNamesResponse>('GET', `/v1/families/${enc(familyId)}/member-names`);
  }
  listRosters(familyId: string, after = 0) {
    return this.request<ListRostersResponse>('GET', `/v1/families/${enc(familyId)}/rosters?after=${after}`);
  }
  publishRoster(familyId: string, roster: RosterWire) {
    return this.request<PublishRosterResponse>('POST', `/v1/families/${enc(familyId)}/rosters`, { roster });
  }
  /** Files this device's identity succession request (docs/protocol.md §17.1). */
  requestSuccession(familyId: string, request: SuccessionRequest) {
    return this.request<void>('POST', `/v1/families/${enc(familyId)}/succession-requests`, { request });
  }
  /** Pending succession requests of the family (guardians). */
  listSuccessionRequests(familyId: string) {
    return this.request<ListSuccessionRequestsResponse>('GET', `/v1/families/${enc(familyId)}/succession-requests`);
  }
  /** Publishes the roster swapping a device and the countersigned succession (§17.2). */
  publishSuccession(familyId: string, roster: RosterWire, succession: SuccessionWire) {
    return this.request<PublishSuccessionResponse>('POST', `/v1/families/${enc(familyId)}/successions`, { roster, succession });
  }
  /** Countersigned successions of roster versions after `after`; the caller verifies them. */
  listSuccessions(familyId: string, after = 0) {
    return this.request<ListSuccessionsResponse>('GET', `/v1/families/${enc(familyId)}/successions?after=${after}`);
  }
  /** Publishes this device's newest KEM key record (docs/protocol.md §14). */
  publishKemKey(record: KemKeyRecord) {
    return this.request<PublishKemKeyResponse>('POST', '/v1/devices/me/kem-keys', { record });
  }
  /** The newest KEM key record of each roster device that rotated; the caller verifies them. */
  listKemKeys(familyId: string) {
    return this.request<ListKemKeysResponse>('GET', `/v1/families/${enc(familyId)}/kem-keys`);
  }
  registerToy(body: DeviceKeysBody) {
    return this.request<RegisterToyResponse>('POST', '/v1/toys', body);
  }
  openPairing(lookup: string, keysTag: string) {
    return this.request<OpenPairingResponse>('POST', '/v1/toys/me/pairing', { lookup, keysTag });
  }
  getPairing() {
    return this.request<PairingResponse>('GET', '/v1/toys/me/pairing');
  }
  getToyMe() {
    return this.request<ToyMeResponse>('GET', '/v1/toys/me');
  }
  lookupPairing(lookup: string) {
    return this.request<LookupResponse>('GET', `/v1/pairing/${enc(lookup)}`);
  }
  claimToy(familyId: string, body: ClaimToyBody) {
    return this.request<ClaimToyResponse>('POST', `/v1/families/${enc(familyId)}/toys`, body);
  }
  recoverGuardian(familyId: string, body: RecoverGuardianBody) {
    return this.request<RecoverGuardianResponse>('POST', `/v1/families/${enc(familyId)}/guardian-recovery`, body);
  }
  endorseRecoveryRoster(body: RecoveryEndorsement) {
    return this.request<void>('PUT', '/v1/toys/me/recovery-endorsement', body);
  }
  listRecoveryEndorsements(familyId: string) {
    return this.request<RecoveryEndorsementsResponse>('GET', `/v1/families/${enc(familyId)}/recovery-endorsements`);
  }
  createInvitation(familyId: string, ttlMs?: number) {
    return this.request<CreateInvitationResponse>('POST', `/v1/families/${enc(familyId)}/invitations`, ttlMs === undefined ? {} : { ttlMs });
  }
  revokeInvitation(familyId: string, invitationId: string) {
    return this.request<void>('DELETE', `/v1/families/${enc(familyId)}/invitations/${enc(invitationId)}`);
  }
  /** Whether an invitation code can still be used (no account needed): 404 unknown, 410 used or expired. */
  checkInvitation(code: string) {
    return this.request<CheckInvitationResponse>('POST', '/v1/invitations/check', { code });
  }
  redeemInvitation(code: string) {
    return this.request<RedeemInvitationResponse>('POST', '/v1/invitations/redeem', { code });
  }
  listJoinRequests(familyId: string) {
    return this.request<ListJoinRequestsResponse>('GET', `/v1/families/${enc(familyId)}/join-requests`);
  }
  approveJoinRequest(familyId: string, requestId: string) {
    return this.request<JoinRequest>('POST', `/v1/families/${enc(familyId)}/join-requests/${enc(requestId)}/approve`);
  }
  declineJoinRequest(familyId: string, requestId: string) {
    return this.request<JoinRequest>('POST', `/v1/families/${enc(familyId)}/join-requests/${enc(requestId)}/decline`);
  }
  listPendingDevices(familyId: string) {
    return this.request<ListPendingDevicesResponse>('GET', `/v1/families/${enc(familyId)}/pending-devices`);
  }
  listBlocks(familyId: string) {
    return this.request<ListBlocksResponse>('GET', `/v1/families/${enc(familyId)}/blocks`);
  }
  blockAccount(familyId: string, accountId: string) {
    return this.request<BlockResponse>('POST', `/v1/families/${enc(familyId)}/blocks`, { accountId });
  }
  unblockAccount(familyId: string, accountId: string) {
    return this.request<void>('DELETE', `/v1/families/${enc(familyId)}/blocks/${enc(accountId)}`);
  }
  putToySettings(familyId: string, toyId: string, settings: ToySettingsWire) {
    return this.request<PutToySettingsResponse>('PUT', `/v1/families/${enc(familyId)}/toys/${enc(toyId)}/settings`, { settings });
  }
  getToySettings(familyId: string, toyId: string) {
    return this.request<ToySettingsResponse>('GET', `/v1/families/${enc(familyId)}/toys/${enc(toyId)}/settings`);
  }
  getMyToySettings() {
    return this.request<ToySettingsResponse>('GET', '/v1/toys/me/settings');
  }
  listToys(familyId: string) {
    return this.request<ListToysResponse>('GET', `/v1/families/${enc(familyId)}/toys`);
  }
  renameToy(familyId: string, toyId: string, name: EnvelopeWire) {
    return this.request<void>('PUT', `/v1/families/${enc(familyId)}/toys/${enc(toyId)}/name`, { name });
  }
  /** A guardian marks a toy lost or stolen: unpaired at once, its last check-in kept (docs/safety.md). */
  markToyLost(familyId: string, toyId: string, roster: RosterWire) {
    return this.request<{ version: number; lastSeenAt: number | null }>('POST', `/v1/families/${enc(familyId)}/toys/${enc(toyId)}/lost`, { roster });
  }
  listLostToys(familyId: string) {
    return this.request<{ toys: { toyId: string; childId: string | null; lostAt: number; lastSeenAt: number | null }[] }>('GET', `/v1/families/${enc(familyId)}/lost-toys`);
  }
  unpairToy(familyId: string, toyId: string, roster: RosterWire) {
    return this.request<UnpairToyResponse>('POST', `/v1/families/${enc(familyId)}/toys/${enc(toyId)}/unpair`, { roster });
  }
  /** A toy: a single-use ticket to open the stream where no Authorization header can be sent (a browser). */
  createStreamTicket() {
    return this.request<StreamTicketResponse>('POST', '/v1/toys/me/stream-tickets');
  }
  listReviews(familyId: string) {
    return this.request<ListReviewsResponse>('GET', `/v1/families/${enc(familyId)}/reviews`);
  }
  async downloadReviewBlob(familyId: string, messageId: string): Promise<Uint8Array> {
    const res = await this.send(`${this.baseUrl}/v1/families/${enc(familyId)}/reviews/${enc(messageId)}/blob`, { headers: this.headers(), credentials: 'same-origin' }, true);
    if (!res.ok) await this.read<unknown>(res);
    return new Uint8Array(await res.arrayBuffer());
  }
  approveMessage(familyId: string, messageId: string, reviews: ReviewWire[]) {
    return this.request<ApproveResponse>('POST', `/v1/families/${enc(familyId)}/reviews/${enc(messageId)}/approve`, { reviews });
  }
  declineMessage(familyId: string, messageId: string) {
    return this.request<void>('POST', `/v1/families/${enc(familyId)}/reviews/${enc(messageId)}/decline`);
  }
  /** A toy: messages a guardian approved for it, after its review cursor. */
  listReviewedMessages(after = 0, limit = 50) {
    return this.request<ReviewedResponse>('GET', `/v1/toys/me/reviewed?after=${after}&limit=${limit}`);
  }
  /** Retried when the server is busy: a blob is named by its hash, and one already stored is a 201 again. */
  async uploadBlob(familyId: string, hash: string, blob: Uint8Array): Promise<void> {
    const init: RequestInit = {
      method: 'PUT',
      headers: this.headers({ 'content-type': 'application/octet-stream' }),
      body: blob as Uint8Array<ArrayBuffer>,
      credentials: 'same-origin',
    };
    await this.read<unknown>(await this.send(`${this.baseUrl}/v1/families/${enc(familyId)}/blobs/${enc(hash)}`, init, true));
  }
  /**
   * `keyEpochs`: the KEM key epoch sealed to, per recipient (docs/protocol.md §14.2). Retried when the
   * server is busy: the envelope's id is unique, so a repeat can never deliver twice (if an earlier
   * attempt did land after all, the repeat is a 409 `already_sent`, which sealAndSendVoice counts as sent).
   */
  sendMessage(familyId: string, envelope: EnvelopeWire, keyEpochs?: Record<string, number>) {
    return this.request<SendMessageResponse>('POST', `/v1/families/${enc(familyId)}/messages`, keyEpochs ? { envelope, keyEpochs } : { envelope }, { retry: true });
  }
  /** Deletes a message (its sender or a guardian), with the signed instruction for the toys (§16). */
  deleteMessage(messageId: string, instruction?: DeletionWire) {
    return this.request<undefined>('DELETE', `/v1/messages/${enc(messageId)}`, instruction ? { instruction } : undefined);
  }
  /** A toy: the family's deletion instructions after its cursor (docs/protocol.md §16). */
  listToyDeletions(after = 0, limit = 50) {
    return this.request<{ deletions: { seq: number; instruction: unknown }[] }>('GET', `/v1/toys/me/deletions?after=${after}&limit=${limit}`);
  }
  /** A guardian's device keeps a message on a toy, or lets it go (docs/protocol.md §18). */
  setFavourite(familyId: string, instruction: FavouriteWire) {
    return this.request<SetFavouriteResponse>('POST', `/v1/families/${enc(familyId)}/favourites`, { instruction });
  }
  /** What the family's guardians asked its toys to keep now. */
  listFavourites(familyId: string) {
    return this.request<ListFavouritesResponse>('GET', `/v1/families/${enc(familyId)}/favourites`);
  }
  /** A toy: its favourite instructions after its cursor, each with the envelope while the server has it (§18). */
  listToyFavourites(after = 0, limit = 50) {
    return this.request<ToyFavouritesResponse>('GET', `/v1/toys/me/favourites?after=${after}&limit=${limit}`);
  }
  listMessages(after = 0, limit = 50) {
    return this.request<InboxResponse>('GET', `/v1/inbox?after=${after}&limit=${limit}`);
  }
  /** A toy's wake-up in one round trip: rosters, deletions, settings, inbox, reviewed and favourites, after its cursors. */
  syncToy(query: ToySyncQuery = {}) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.request<ToySyncResponse>('GET', `/v1/toys/me/sync?${params.toString()}`);
  }
  listSent(after = 0) {
    return this.request<SentResponse>('GET', `/v1/sent?after=${after}`);
  }
  async downloadMessageBlob(messageId: string): Promise<Uint8Array> {
    const res = await this.send(`${this.baseUrl}/v1/messages/${enc(messageId)}/blob`, { headers: this.headers(), credentials: 'same-origin' }, true);
    if (!res.ok) await this.read<unknown>(res);
    return new Uint8Array(await res.arrayBuffer());
  }
  sendReceipt(messageId: string, kind: ReceiptKind) {
    return this.request<void>('POST', `/v1/messages/${enc(messageId)}/receipts`, { kind });
  }

  /** ws(s):// URL of the stream, for a WebSocket implementation of the caller's platform. */
  streamUrl(options: { device?: string; ticket?: string } = {}): string {
    const url = new URL(this.baseUrl + '/v1/stream');
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const device = options.device ?? this.deviceId;
    if (device) url.searchParams.set('device', device);
    if (options.ticket) url.searchParams.set('ticket', options.ticket);
    return url.toString();
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
