// Captures frames in the network namespace it runs in (AF_PACKET, ETH_P_ALL) and prints
// one JSON line per gratuitous ARP, unsolicited NA or VRRP advert:
//   {"t": wall ms, "kind": "arp"|"na"|"vrrp", "ethSrc": MAC, ...}
// VRRP lines carry the IP packet (Ethernet header stripped) as hex, for fixtures.
// Run with `ip netns exec NS node dist/test/helpers/capture-frames.js`; ends on SIGTERM.
import { AfPacketCapture } from '../../src/sys/packet-socket-af.js';
import { decodeArpFrame, decodeNaFrame } from '../../src/vrrp/proto/garp.js';

// No de-duplication: LAN hosts have a single interface (eth0), so each frame is seen once,
// and a GARP burst is several identical frames sent within the same millisecond, which
// the tests count.
const cap = new AfPacketCapture();
cap.onFrame((f) => {
  if (f.length < 14) return;
  const type = f.readUInt16BE(12);
  const ethSrc = Array.from(f.subarray(6, 12), (x) => x.toString(16).padStart(2, '0')).join(':');
  const t = Date.now();
  let line: object | undefined;
  if (type === 0x0806) {
    const a = decodeArpFrame(f);
    if (a.ok && a.value.gratuitous) line = { t, kind: 'arp', ethSrc, ip: a.value.senderIp, mac: a.value.senderMac };
  } else if (type === 0x86dd && f[14 + 6] === 112) {
    line = { t, kind: 'vrrp', family: 6, ethSrc, hex: f.subarray(14).toString('hex') };
  } else if (type === 0x86dd) {
    const n = decodeNaFrame(f);
    if (n.ok && !n.value.solicited) line = { t, kind: 'na', ethSrc, ip: n.value.target, mac: n.value.targetMac };
  } else if (type === 0x0800 && f[14 + 9] === 112) {
    line = { t, kind: 'vrrp', family: 4, ethSrc, hex: f.subarray(14).toString('hex') };
  }
  if (line === undefined) return;
  process.stdout.write(`${JSON.stringify(line)}\n`);
});
process.stdout.write('{"kind":"ready"}\n');
process.on('SIGTERM', () => {
  cap.close();
  process.exit(0);
});
