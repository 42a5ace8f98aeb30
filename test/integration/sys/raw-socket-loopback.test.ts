// The native addon end to end: a raw socket on loopback sends and receives an IP
// protocol 253 packet (RFC 3692 experimental, so nothing else on the host reacts),
// with TTL / hop limit and pktinfo from ancillary data; without CAP_NET_RAW it fails
// with an error naming the capability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RawSocket } from '../../../src/sys/raw-socket.js';
import { requireRoot } from '../../helpers/privileges.js';

const PROTO = 253;

function receiveOne(sock: RawSocket, match: (b: Buffer) => boolean): Promise<{ buf: Buffer; meta: { src: string; dst: string; ttl: number; ifindex: number } }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no packet within 2 s')), 2000);
    sock.onPacket((buf, meta) => {
      if (!match(buf)) return;
      clearTimeout(timer);
      resolve({ buf, meta });
    });
  });
}

test('IPv4 raw socket on lo: the packet arrives with its IP header, TTL 255 and pktinfo', async (t) => {
  if (!requireRoot(t, 'raw IPv4 socket')) return;
  const rx = new RawSocket({ family: 4, protocol: PROTO, ifname: 'lo' });
  const tx = new RawSocket({ family: 4, protocol: PROTO, ifname: 'lo' });
  try {
    const payload = Buffer.from(`halb-${process.pid}-v4`);
    const got = receiveOne(rx, (b) => b.subarray(20).equals(payload));
    tx.send(payload, '127.0.0.1');
    const { buf, meta } = await got;
    assert.equal(buf[0]! >> 4, 4, 'IPv4 header delivered in front of the payload');
    assert.equal(buf[8], 255, 'TTL in the header is what IP_TTL set');
    assert.equal(buf[9], PROTO);
    assert.equal(meta.ttl, 255, 'IP_RECVTTL ancillary data');
    assert.equal(meta.src, '127.0.0.1');
    assert.equal(meta.dst, '127.0.0.1');
    assert.equal(meta.ifindex, rx.ifindex);
  } finally {
    rx.close();
    tx.close();
  }
});

test('IPv6 raw socket on lo: payload only, hop limit 255 from ancillary data', async (t) => {
  if (!requireRoot(t, 'raw IPv6 socket')) return;
  const rx = new RawSocket({ family: 6, protocol: PROTO, ifname: 'lo' });
  const tx = new RawSocket({ family: 6, protocol: PROTO, ifname: 'lo' });
  try {
    const payload = Buffer.from(`halb-${process.pid}-v6`);
    const got = receiveOne(rx, (b) => b.equals(payload));
    tx.send(payload, '::1');
    const { meta } = await got;
    assert.equal(meta.ttl, 255);
    assert.equal(meta.src, '::1');
    assert.equal(meta.dst, '::1');
  } finally {
    rx.close();
    tx.close();
  }
});

test('without CAP_NET_RAW the error names the missing capability', (t) => {
  if (!requireRoot(t, 'dropping privileges with setpriv')) return;
  const mod = fileURLToPath(new URL('../../../src/sys/raw-socket.js', import.meta.url));
  const script = `import(${JSON.stringify(mod)}).then(({ RawSocket }) => {
    try { new RawSocket({ family: 4, protocol: ${PROTO}, ifname: 'lo' }); console.log('opened'); }
    catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, needed: e.needed, message: e.message })); }
  });`;
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { name: string; code: string; needed: string; message: string };
  assert.equal(out.name, 'PermissionError');
  assert.equal(out.code, 'HALB_ERR_PERMISSION');
  assert.equal(out.needed, 'CAP_NET_RAW');
  assert.match(out.message, /CAP_NET_RAW/);
});
