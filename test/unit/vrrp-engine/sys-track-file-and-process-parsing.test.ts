// The parsers behind track_file and vrrp_track_process: keepalived's strtol reading of
// a track file, /proc/PID/stat and cmdline, and the process connector's message layout
// (threads left out). The real file watch and /proc reads are in
// test/integration/sys/track-file-watch-and-proc-read.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProcEvent, encodeListen, PROC_EVENT } from '../../../src/sys/proc-connector.js';
import { parseCmdline, parseStat } from '../../../src/sys/proc-scan.js';
import { parseTrackValue as parseTrackFileValue } from '../../../src/core/track-file-value.js';

test('track file values read as strtol(buf, NULL, 0)', () => {
  const cases: [string, number | undefined][] = [
    ['42\n', 42], ['  -7 trailing', -7], ['+3', 3], ['0x1F', 31], ['0X10', 16], ['010', 8], ['09', 0], ['0', 0],
    ['', 0], ['abc', 0], ['0x', 0], ['2147483647', 2147483647], ['-2147483648', -2147483648], ['2147483648', 2147483648], ['2147483649', undefined], ['99999999999', undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseTrackFileValue(text), want, JSON.stringify(text));
});

test('/proc/PID/stat and cmdline parsing', () => {
  assert.deepEqual(parseStat('1234 (my (odd) name) S 1 1234 1234 0 -1'), { comm: 'my (odd) name', state: 'S', ppid: 1 });
  assert.equal(parseStat('1234 (zomb) Z 77 0')?.state, 'Z');
  assert.equal(parseStat('garbage'), undefined);
  assert.deepEqual(parseCmdline(Buffer.from('/usr/sbin/nginx\0-g\0daemon off;\0')), ['/usr/sbin/nginx', '-g', 'daemon off;']);
  assert.deepEqual(parseCmdline(Buffer.alloc(0)), []);
});

/** cn_msg + proc_event as the kernel lays them out. */
function cnEvent(what: number, data: number[]): Buffer {
  const ev = Buffer.alloc(16 + 24);
  ev.writeUInt32LE(what, 0);
  data.forEach((v, i) => ev.writeUInt32LE(v, 16 + i * 4));
  const cn = Buffer.alloc(20);
  cn.writeUInt32LE(1, 0);
  cn.writeUInt32LE(1, 4);
  cn.writeUInt16LE(ev.length, 16);
  return Buffer.concat([cn, ev]);
}

test('process connector messages: process fork/exec/comm/exit decoded, threads ignored', () => {
  assert.deepEqual(decodeProcEvent(cnEvent(PROC_EVENT.FORK, [100, 100, 200, 200])), { kind: 'fork', ppid: 100, pid: 200 });
  assert.equal(decodeProcEvent(cnEvent(PROC_EVENT.FORK, [100, 100, 201, 200])), null, 'a new thread');
  assert.deepEqual(decodeProcEvent(cnEvent(PROC_EVENT.EXEC, [300, 300])), { kind: 'exec', pid: 300 });
  assert.deepEqual(decodeProcEvent(cnEvent(PROC_EVENT.COMM, [300, 300])), { kind: 'comm', pid: 300 });
  assert.deepEqual(decodeProcEvent(cnEvent(PROC_EVENT.EXIT, [300, 300, 0, 17])), { kind: 'exit', pid: 300 });
  assert.equal(decodeProcEvent(cnEvent(PROC_EVENT.EXIT, [301, 300, 0, 17])), null, 'a thread exiting');
  assert.equal(decodeProcEvent(cnEvent(0x4, [1, 1])), null, 'uid change: not ours');
  assert.equal(decodeProcEvent(Buffer.alloc(8)), null);
  const l = encodeListen(4242);
  assert.equal(l.length, 40);
  assert.deepEqual([l.readUInt32LE(0), l.readUInt16LE(4), l.readUInt32LE(12)], [40, 3, 4242], 'nlmsghdr: len, NLMSG_DONE, port id');
  assert.deepEqual([l.readUInt32LE(16), l.readUInt32LE(20), l.readUInt16LE(32), l.readUInt32LE(36)], [1, 1, 4, 1], 'cn_msg idx/val, len 4, PROC_CN_MCAST_LISTEN');
});
