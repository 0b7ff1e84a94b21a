/**
 * Who may talk to the child (docs/safety.md): invitations, join requests and their approval, blocks,
 * and a relative's side of joining.
 */
import type { CreateInvitationResponse, ListBlocksResponse } from '@burrow/api';
import type { Grant, JoinRequest, PendingDevice } from '@burrow/client';
import type { GuardianCore } from './core.js';
import type { Family } from './family.js';

export class Members {
  constructor(
    private readonly core: GuardianCore,
    private readonly family: Family,
  ) {}

  /** Creates a single-use invitation; its code is shown once. */
  invite(): Promise<CreateInvitationResponse> {
    return this.core.device.invite(this.core.requireFamily());
  }

  /** What the Family page lists: join requests (pending and approved), devices waiting, blocks. */
  async familyPeople(): Promise<{
    requests: JoinRequest[];
    pendingDevices: PendingDevice[];
    blocks: ListBlocksResponse['blocks'];
  }> {
    const { api } = this.core;
    const familyId = this.core.requireFamily();
    const [requests, pending, blocks] = await Promise.all([
      api.listJoinRequests(familyId),
      api.listPendingDevices(familyId),
      api.listBlocks(familyId),
    ]);
    return { requests: requests.requests, pendingDevices: pending.devices, blocks: blocks.blocks };
  }

  async approveJoinRequest(requestId: string, grant: Grant): Promise<void> {
    await this.core.device.approveJoinRequest(this.core.requireFamily(), requestId, grant);
    await this.family.loadFamily();
  }

  async declineJoinRequest(requestId: string): Promise<void> {
    await this.core.device.declineJoinRequest(this.core.requireFamily(), requestId);
  }

  async block(accountId: string): Promise<void> {
    await this.core.device.blockMember(this.core.requireFamily(), accountId);
    await this.family.loadFamily();
  }

  async unblock(accountId: string): Promise<void> {
    await this.core.api.unblockAccount(this.core.requireFamily(), accountId);
  }

  /** Whether an invitation code can still be used, before any account exists (404 / 410 otherwise). */
  async checkInvitation(code: string): Promise<void> {
    await this.core.api.checkInvitation(code.trim());
  }

  /** A relative asks to join with the code a guardian shared. */
  async requestToJoin(code: string): Promise<void> {
    await this.core.device.requestToJoin(code.trim());
  }
}
