/** Client addresses fade to their network (accounts/ip-fade.ts): /24 for IPv4, /48 for IPv6. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fadedGroups, fadeIp } from './ip-fade.js';

void test('an IPv4 address (plain or IPv4-mapped) keeps its /24, an IPv6 address its /48', () => {
  assert.equal(fadeIp('203.0.113.45'), '203.0.113.0/24');
  assert.equal(fadeIp('::ffff:203.0.113.45'), '203.0.113.0/24');
  assert.equal(fadeIp('2001:db8:abcd:12:5:6:7:8'), '2001:db8:abcd::/48');
  assert.equal(fadeIp('2001:DB8::1'), '2001:db8:0::/48');
  assert.equal(fadeIp('::1'), '0:0:0::/48');
  assert.equal(fadeIp('fe80::1%eth0'), 'fe80:0:0::/48');
  assert.equal(fadeIp('64:ff9b::192.0.2.33'), '64:ff9b:0::/48');
});

void test('fading is idempotent, and what is not an address names nobody', () => {
  assert.equal(fadeIp(fadeIp('198.51.100.7')), '198.51.100.0/24');
  assert.equal(fadeIp('2001:db8:abcd::/48'), '2001:db8:abcd::/48');
  assert.equal(fadeIp('not an address'), 'unknown/0');
});

void test('a page is grouped by the network each full address fades to; null and faded ones are left alone', () => {
  const groups = fadedGroups([
    { id: 1, ip: '198.51.100.7' },
    { id: 2, ip: '198.51.100.9' },
    { id: 3, ip: null },
    { id: 4, ip: '198.51.100.0/24' },
    { id: 5, ip: '2001:db8:1:2::3' },
  ]);
  assert.deepEqual([...groups], [
    ['198.51.100.0/24', [1, 2]],
    ['2001:db8:1::/48', [5]],
  ]);
});
