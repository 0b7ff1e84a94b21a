import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invitedBy, inviteLink, parseInviteFragment } from './invite-link.js';

void test('an invitation link carries the code and who invites whom, and reads back the same', () => {
  const link = inviteLink('https://burrow.example', 'ABCDE-FGHJK-MNPQR-STVWX', ' Dad ', ['Ada', 'Ben']);
  assert.equal(link, 'https://burrow.example/join#ABCDE-FGHJK-MNPQR-STVWX?from=Dad&child=Ada+and+Ben');
  const parsed = parseInviteFragment(new URL(link).hash);
  assert.deepEqual(parsed, { code: 'ABCDE-FGHJK-MNPQR-STVWX', from: 'Dad', child: 'Ada and Ben' });
  assert.equal(invitedBy(parsed), 'Dad invited you to talk with Ada and Ben on Burrow.');
});

void test('an old bare-code link, a malformed escape and over-long names still read', () => {
  assert.deepEqual(parseInviteFragment('#ABCDE-FGHJK-MNPQR-STVWX'), { code: 'ABCDE-FGHJK-MNPQR-STVWX', from: null, child: null });
  assert.equal(parseInviteFragment('#%E0%A4%A').code, '%E0%A4%A');
  assert.equal(parseInviteFragment(`#X?from=${'a'.repeat(500)}`).from?.length, 60);
  assert.equal(invitedBy({ code: 'X', from: null, child: null }), 'Someone in your family invited you to a family on Burrow.');
});
