// What only the ipvs engine carries reaches it from keepalived.conf (fwmark services and
// group entries, SCTP, ops, persistence_engine, lvs_timeouts); the other engines skip
// them with a note, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/index.js';
import { configToDesired } from '../../../src/daemon/config-to-desired.js';
import { serviceKey } from '../../../src/dataplane/model.js';

const CONF = `
global_defs {
  lvs_timeouts tcp 7200 tcpfin 60 udp 120
}
virtual_server fwmark 7 {
  lvs_sched rr
  lvs_method DR
  real_server 192.0.2.10 80 {
    weight 2
  }
}
virtual_server 198.51.100.1 5060 {
  lvs_sched rr
  protocol SCTP
  real_server 192.0.2.11 5060 {
  }
}
virtual_server 198.51.100.2 53 {
  lvs_sched sh
  protocol UDP
  ops
  real_server 192.0.2.12 53 {
  }
}
`;

const health = { isUp: () => true, quorumWasUp: () => true };

test('ipvs: fwmark, SCTP, ops and lvs_timeouts are in the desired state', () => {
  const cfg = parseConfigText(CONF).config;
  const m = configToDesired(cfg, health, 'ipvs');
  assert.deepEqual(m.desired.services.map((s) => serviceKey(s)), ['FWM:7', 'SCTP:198.51.100.1:5060', 'UDP:198.51.100.2:53']);
  assert.equal(m.desired.services[0]!.forwarding, 'DR');
  assert.equal(m.desired.services[2]!.onePacket, true);
  assert.deepEqual(m.desired.timeouts, { tcpMs: 7_200_000, tcpFinMs: 60_000, udpMs: 120_000 });
});

test('proxy and nft: the same file keeps only what they carry, with notes', () => {
  const cfg = parseConfigText(CONF).config;
  for (const engine of ['proxy', 'nft']) {
    const m = configToDesired(cfg, health, engine);
    assert.deepEqual(m.desired.services.map((s) => serviceKey(s)), ['UDP:198.51.100.2:53']);
    assert.equal(m.desired.services[0]!.onePacket, undefined);
    assert.equal(m.desired.timeouts, undefined);
    assert.ok(m.notes.some((n) => /fwmark services need the ipvs dataplane/.test(n.message)));
    assert.ok(m.notes.some((n) => /SCTP is not carried/.test(n.message)));
  }
});
