// A bounded flood of malformed VRRP packets (IP protocol 112, TTL 255, random payload of
// 8..63 bytes), for the flood-resistance netns test:
//   node vrrp-flood.js DST_IPV4 IFNAME PACKETS_PER_SECOND SECONDS
// Sends in 10 ms bursts, stops after SECONDS (or on SIGTERM), prints {"sent":N,"seconds":S}.
import { randomFillSync } from 'node:crypto';
import { RawSocket } from '../../src/sys/raw-socket.js';

const [dst, ifname, ppsArg, secondsArg] = process.argv.slice(2);
const pps = Number(ppsArg);
const seconds = Math.min(Number(secondsArg), 30);
const sock = new RawSocket({ family: 4, protocol: 112, ifname: ifname!, ttl: 255 });
const pool = Array.from({ length: 256 }, (_, i) => randomFillSync(Buffer.alloc(8 + (i % 56))));
let sent = 0;
let stop = false;
process.on('SIGTERM', () => { stop = true; });
const start = Date.now();
const perTick = Math.max(1, Math.round(pps / 100));
while (!stop && Date.now() - start < seconds * 1000) {
  const tickStart = Date.now();
  for (let i = 0; i < perTick; i++) {
    try {
      sock.send(pool[sent % pool.length]!, dst!);
      sent++;
    } catch {
      // ENOBUFS under load: the packet is simply not sent.
    }
  }
  const rest = 10 - (Date.now() - tickStart);
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
}
sock.close();
process.stdout.write(`${JSON.stringify({ sent, seconds: (Date.now() - start) / 1000 })}\n`);
