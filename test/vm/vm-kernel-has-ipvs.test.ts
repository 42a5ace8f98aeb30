// The VM tier's own smoke test: the guest that scripts/vm/run.mjs boots is a kernel
// with IPVS and IPIP, ipvsadm programs a NAT service inside a namespace, and that
// namespace's table is its own (the guest's initial namespace does not see it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { NetNs } from '../helpers/netns.js';
import { vmGate } from '../helpers/vm.js';

function sh(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('the VM kernel loads ip_vs and ipip, and ipvsadm programs NAT in a namespace', (t) => {
  if (!vmGate(t, 'VM kernel IPVS smoke test', ['ipvsadm'])) return;
  const ns = NetNs.create('vm-ipvs', [
    { name: 'eth0', peer: 'eth0p', addresses: ['192.0.2.1/24', '198.51.100.1/24'] },
  ]);
  t.after(() => ns.destroy());

  assert.match(readFileSync('/proc/net/ip_vs', 'utf8'), /IP Virtual Server version/);
  const ipvs = (args: readonly string[]): string => {
    const r = ns.run('ipvsadm', args);
    assert.equal(r.status, 0, `ipvsadm ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  ipvs(['-A', '-t', '192.0.2.10:80', '-s', 'rr']);
  ipvs(['-a', '-t', '192.0.2.10:80', '-r', '198.51.100.11:8080', '-m', '-w', '1']);
  ipvs(['-a', '-t', '192.0.2.10:80', '-r', '198.51.100.12:8080', '-m', '-w', '3']);
  ipvs(['-A', '-u', '192.0.2.10:53', '-s', 'mh', '-b', 'mh-port']);
  const list = ipvs(['-Ln']);
  assert.match(list, /^TCP {2}192\.0\.2\.10:80 rr\s*$/m);
  assert.match(list, /-> 198\.51\.100\.11:8080\s+Masq\s+1\s+0\s+0/);
  assert.match(list, /-> 198\.51\.100\.12:8080\s+Masq\s+3\s+0\s+0/);
  // mh is a module of its own; loading it on demand needs the host's modprobe (switch_root).
  assert.match(list, /^UDP {2}192\.0\.2\.10:53 mh \(mh-port\)\s*$/m);
  assert.doesNotMatch(sh('ipvsadm', ['-Ln']), /192\.0\.2\.10/, 'the table is per namespace');

  sh('modprobe', ['ipip']);
  const tunl = ns.run('ip', ['-d', 'link', 'show', 'tunl0']);
  assert.equal(tunl.status, 0, tunl.stderr);
  assert.match(tunl.stdout, /ipip/);
});
