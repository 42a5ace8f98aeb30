import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diags, parse } from './helpers.js';

test('vrrp_script defaults: interval 1 s, timeout = interval, rise 1, fall 1, weight 0', () => {
  const r = parse('vrrp_script a {\n script "/usr/bin/killall -0 haproxy"\n}\nvrrp_script b {\n script /bin/check\n interval 3\n weight -5 reverse\n user nobody nogroup\n init_fail\n}\n');
  const [a, b] = r.config.vrrpScripts;
  assert.deepEqual(
    { argv: a?.script.argv, interval: a?.intervalMs, timeout: a?.timeoutMs, rise: a?.rise, fall: a?.fall, weight: a?.weight, initFail: a?.initFail },
    { argv: ['/usr/bin/killall', '-0', 'haproxy'], interval: 1000, timeout: 1000, rise: 1, fall: 1, weight: 0, initFail: false },
  );
  assert.deepEqual(
    { interval: b?.intervalMs, timeout: b?.timeoutMs, weight: b?.weight, rev: b?.weightReverse, user: b?.user, group: b?.group, initFail: b?.initFail },
    { interval: 3000, timeout: 3000, weight: -5, rev: true, user: 'nobody', group: 'nogroup', initFail: true },
  );
});

test('vrrp_script errors, and a script without `script` removed at its closing brace', () => {
  const r = parse(`vrrp_script chk_b {
 script /bin/true
 interval 0
 timeout 1.5
 rise 0
 fall x
 weight 300
}
vrrp_script chk_c {
 interval 2
}
`);
  assert.deepEqual(diags(r), [
    '3: (chk_b): vrrp script interval must be greater than 0, setting to 1',
    "4: invalid number '1.5'",
    "4: (chk_b): vrrp script timeout '1.5' invalid - ignoring",
    "5: number '0' outside range [1, 2147483647]",
    "5: (chk_b): vrrp script rise value '0' invalid, defaulting to 1",
    "6: invalid number 'x'",
    "6: (chk_b): vrrp script fall value 'x' invalid, defaulting to 1",
    "7: number '300' outside range [-253, 253]",
    '7: vrrp_script chk_b weight 300 must be in [-253, 253]',
    '11: No script set for vrrp_script chk_c - removing',
  ]);
  assert.deepEqual(r.config.vrrpScripts.map((s) => [s.name, s.intervalMs, s.weight]), [['chk_b', 1000, 0]]);
});

test('track_file, vrrp_track_process and bfd_instance blocks', () => {
  const r = parse(`track_file tf {
 file /run/keepalived/tf
 weight -10 reverse
 init_file 5 overwrite
}
vrrp_track_file old {
 weight 2
}
vrrp_track_process sshd {
 process /usr/sbin/sshd -D
 weight 10
 quorum 2
 delay 1.5
}
bfd_instance b1 {
 neighbor_ip 192.168.1.2
 source_ip 192.168.1.1
 min_rx 50
 multiplier 0
}
bfd_instance b2 {
 source_ip 192.168.1.1
}
`);
  assert.deepEqual(diags(r), [
    '8: No file set for track_file old - ignoring',
    "19: number '0' outside range [1, 255]",
    '19: Configuration error: BFD instance b1 multiplier value 0 not valid (must be in range [1-255]), ignoring',
    '23: Configuration error: BFD instance b2 has no neighbor address set, disabling instance',
  ]);
  assert.deepEqual(r.config.trackFiles, [{
    name: 'tf', pos: { file: '/etc/keepalived/keepalived.conf', line: 1 }, file: '/run/keepalived/tf',
    weight: -10, weightReverse: true, initFile: { value: 5, overwrite: true },
  }]);
  const [p] = r.config.trackProcesses;
  assert.deepEqual(
    { proc: p?.process, args: p?.args, match: p?.paramMatch, full: p?.fullCommand, weight: p?.weight, quorum: p?.quorum, fork: p?.forkDelayMs, term: p?.terminateDelayMs },
    { proc: '/usr/sbin/sshd', args: ['-D'], match: 'exact', full: true, weight: 10, quorum: 2, fork: 1500, term: 1500 },
  );
  const [b] = r.config.bfdInstances;
  assert.deepEqual(
    { n: b?.neighborIp, s: b?.sourceIp, rx: b?.minRxMs, tx: b?.minTxMs, idle: b?.idleTxMs, mult: b?.multiplier, ttl: b?.ttl },
    { n: '192.168.1.2', s: '192.168.1.1', rx: 50, tx: 10, idle: 1000, mult: 5, ttl: 255 },
  );
  assert.equal(r.config.bfdInstances.length, 1);
});
