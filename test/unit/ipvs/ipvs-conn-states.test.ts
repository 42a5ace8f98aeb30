// `halb ctl list -c` with the ipvs engine prints each entry's state as IPVS names it,
// as ipvsadm -Lnc does: a closed HTTP connection lingers as TIME_WAIT (found in the VM,
// where halb printed NONE for every one of them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConnections } from '../../../src/api/ipvsadm-format.js';
import { connectionSnapshots } from '../../../src/dataplane/ipvs/snapshot.js';
import { parseIpvsConn } from '../../../src/sys/ipvs-netlink.js';

const PROC = `Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP CB007164 9F90 CB00710A 0050 C000020C 0050 TIME_WAIT       118
TCP CB007164 9F92 CB00710A 0050 C000020B 0050 ESTABLISHED     899
TCP CB007164 9F94 CB00710A 0050 C000020B 0050 SYN_SENT         58
TCP CB007164 9F96 CB00710A 0050 C000020B 0050 LAST_ACK         28
SCTP CB007164 9F98 CB00710A 0050 C000020B 0050 COOKIE_ECHOED     4
TCP CB007164 9F9A CB00710A 0050 C000020B 0050 ERR!              1
`;

test('every IPVS state name is listed as the kernel gives it; an unknown one as NONE', () => {
  const rows = connectionSnapshots(parseIpvsConn(PROC));
  assert.deepEqual(rows.map((r) => r.state), ['TIME_WAIT', 'ESTABLISHED', 'SYN_SENT', 'LAST_ACK', 'COOKIE_ECHOED', 'NONE']);
  const lines = formatConnections(rows).split('\n');
  assert.equal(lines[2], 'TCP 01:58  TIME_WAIT   203.0.113.100:40848 203.0.113.10:80    192.0.2.12:80');
});
