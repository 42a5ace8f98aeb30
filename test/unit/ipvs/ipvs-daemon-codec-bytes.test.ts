// sys/ipvs-daemon-codec.ts: NEW_DAEMON / DEL_DAEMON / GET_DAEMON against bytes written
// out by hand from include/uapi/linux/ip_vs.h and what libipvs sends (STATE and SYNC_ID
// u32, MAXLEN and PORT u16 in host order, TTL u8, the group as on the wire), GET_DAEMON
// replies as ip_vs_genl_fill_daemon lays them out, and a decoder that never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeDaemon, encodeDelDaemon, encodeGetDaemons, encodeNewDaemon } from '../../../src/sys/ipvs-daemon-codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('NEW_DAEMON master on eth0 syncid 51: the bytes `ipvsadm --start-daemon master --mcast-interface eth0 --syncid 51` sends', () => {
  const want = hex(`
    34000000 2000 0500 07000000 00000000
    09 01 0000
    2000 0380
      0800 0100 01000000
      0900 0200 65746830 00 000000
      0800 0300 33000000`);
  assert.deepEqual(encodeNewDaemon(32, 7, { role: 'MASTER', interface: 'eth0', syncId: 51 }), want);
});

test('NEW_DAEMON backup with maxlen, port, ttl and an IPv4 group: host-order u16s, u8 ttl, the address as on the wire', () => {
  const want = hex(`
    54000000 2000 0500 01000000 00000000
    09 01 0000
    4000 0380
      0800 0100 02000000
      0900 0200 65746831 00 000000
      0800 0300 05000000
      0600 0400 7805 0000
      0600 0700 9122 0000
      0500 0800 02 000000
      0800 0500 ef010203`);
  const got = encodeNewDaemon(32, 1, { role: 'BACKUP', interface: 'eth1', syncId: 5, maxLen: 1400, port: 8849, ttl: 2, group: '239.1.2.3' });
  assert.deepEqual(got, want);
});

test('an IPv6 group goes as MCAST_GROUP6, 16 bytes', () => {
  const b = encodeNewDaemon(32, 1, { role: 'MASTER', interface: 'eth0', syncId: 1, group: 'ff02::12' });
  assert.deepEqual(b.subarray(b.length - 20), hex('1400 0600 ff020000 00000000 00000000 00000012'));
});

test('DEL_DAEMON names the role (and the syncid, as libipvs does); GET_DAEMON is a dump with no attributes', () => {
  assert.deepEqual(encodeDelDaemon(32, 9, 'BACKUP', 51), hex(`
    28000000 2000 0500 09000000 00000000
    0a 01 0000
    1400 0380
      0800 0100 02000000
      0800 0300 33000000`));
  assert.deepEqual(encodeGetDaemons(32, 3), hex('14000000 2000 0103 03000000 00000000 0b 01 0000'));
});

test('a GET_DAEMON reply as the kernel fills it decodes to the daemon; and round trips', () => {
  // genl header (NEW_DAEMON), then STATE, MCAST_IFN, SYNC_ID, SYNC_MAXLEN, MCAST_PORT, MCAST_TTL, MCAST_GROUP.
  const body = hex(`
    09 01 0000
    4000 0380
      0800 0100 01000000
      0900 0200 65746830 00 000000
      0800 0300 33000000
      0600 0400 c005 0000
      0600 0700 9022 0000
      0500 0800 01 000000
      0800 0500 e0000051`);
  assert.deepEqual(decodeDaemon(body), { role: 'MASTER', interface: 'eth0', syncId: 51, maxLen: 1472, port: 8848, ttl: 1, group: '224.0.0.81' });
  const d = { role: 'BACKUP', interface: 'bond0.12', syncId: 200, maxLen: 9000, port: 9999, ttl: 3, group: 'ff05::4:81' } as const;
  const msg = encodeNewDaemon(32, 1, d);
  assert.deepEqual(decodeDaemon(msg.subarray(16)), d);
});

test('a daemon without STATE, with an unknown state, or cut short is undefined; random bytes never throw', () => {
  assert.equal(decodeDaemon(hex('09 01 0000 1000 0380 0900 0200 65746830 00 000000')), undefined);
  assert.equal(decodeDaemon(hex('09 01 0000 1c00 0380 0800 0100 03000000 0900 0200 65746830 00 000000 0800 0300 01000000')), undefined);
  assert.equal(decodeDaemon(hex('09 01')), undefined);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (a) => {
    decodeDaemon(Buffer.from(a));
  }));
});
