// Regenerates the keepalived-captured fixtures that the engine's netns work added
// (test/fixtures/vrrp/keepalived-2.2.7-v3-*-prio0-*.hex, keepalived-2.2.7-v2-unicast-*.hex):
// runs Debian's keepalived in a namespace LAN, captures its adverts with AF_PACKET on
// the receiving side, and writes them in the fixture format with expectations taken from
// the configuration (never from our decoder). Run by hand, as root, after a build:
//   node dist/test/helpers/record-vrrp-fixtures.js
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lan } from './lan.js';
import { keepalivedConf } from './vrrp-configs.js';
import { FrameCapture, VrrpNode, makeWorkDir, removeWorkDir, repoRoot, sleep, waitUntil, type CapturedFrame } from './vrrp-nodes.js';

interface Want {
  readonly file: string;
  readonly title: string;
  readonly family: 4 | 6;
  readonly version: 2 | 3;
  readonly vrid: number;
  readonly priority: number;
  readonly advertInterval: number;
  readonly addresses: string;
  readonly checksumVariant: string;
  readonly dst: string;
  readonly auth?: string;
}

function write(w: Want, f: CapturedFrame, src: string): void {
  const hex = f.hex!;
  const lines = [
    `# ${w.title}`,
    '# source: captured on the receiving side of a bridged veth LAN from keepalived 2.2.7 (Debian 12) running in a',
    '#         network namespace with 192.0.2.0/24 and 2001:db8::/64 addresses (AF_PACKET, Ethernet header stripped)',
    '#         by test/helpers/record-vrrp-fixtures.ts',
    '# kind: vrrp', `# family: ${w.family}`, '# framing: ip-header',
    `# expect.version: ${w.version}`, `# expect.vrid: ${w.vrid}`, `# expect.priority: ${w.priority}`,
    `# expect.advertInterval: ${w.advertInterval}`, `# expect.addresses: ${w.addresses}`,
    `# expect.checksumVariant: ${w.checksumVariant}`, `# expect.src: ${src}`, `# expect.dst: ${w.dst}`, '# expect.ttl: 255',
    ...(w.auth !== undefined ? [`# expect.auth: ${w.auth}`] : []),
    ...(hex.match(/.{1,64}/g) ?? []),
  ];
  writeFileSync(join(repoRoot(), 'test', 'fixtures', 'vrrp', w.file), `${lines.join('\n')}\n`);
  process.stdout.write(`wrote ${w.file}\n`);
}

const vrrpOf = (fr: readonly CapturedFrame[], family: 4 | 6, vrid: number, prio: number): CapturedFrame | undefined =>
  fr.find((f) => {
    if (f.kind !== 'vrrp' || f.family !== family || f.hex === undefined) return false;
    const b = Buffer.from(f.hex, 'hex');
    const at = family === 4 ? (b[0]! & 0x0f) * 4 : 40;
    return b[at + 1] === vrid && b[at + 2] === prio;
  });

async function main(): Promise<void> {
  const lan = Lan.create('rec', [
    { name: 'k', addresses: ['192.0.2.2/24', '2001:db8::2/64'] }, { name: 'd', addresses: ['192.0.2.1/24', '2001:db8::1/64'] },
  ]);
  const dir = makeWorkDir('rec');
  let ka: VrrpNode | undefined;
  let cap: FrameCapture | undefined;
  try {
    cap = await FrameCapture.start(lan.ns('d'));
    ka = VrrpNode.keepalived(lan.ns('k'), dir, 'ka', keepalivedConf([
      { name: 'V4', vrid: 57, version: 3, priority: 120, advertInt: 0.3, vips: ['192.0.2.157/24', '192.0.2.158/24'], state: 'MASTER' },
      { name: 'V6', vrid: 58, version: 3, priority: 120, advertInt: 0.3, vips: ['2001:db8::158/64'], state: 'MASTER' },
      { name: 'U2', vrid: 59, version: 2, priority: 120, advertInt: 1, vips: ['192.0.2.159/24'], state: 'MASTER', authPass: 'uni',
        unicastSrc: '192.0.2.2', unicastPeers: ['192.0.2.1'] },
    ]));
    const c = cap;
    await waitUntil(() => vrrpOf(c.frames, 4, 59, 120) !== undefined && vrrpOf(c.frames, 6, 58, 120) !== undefined, 10_000);
    await ka.stop();
    await sleep(500);
    const ll = lan.addresses('k').find((a) => a.startsWith('fe80:'))!;
    const p4 = vrrpOf(c.frames, 4, 57, 0);
    const p6 = vrrpOf(c.frames, 6, 58, 0);
    const u2 = vrrpOf(c.frames, 4, 59, 120);
    if (p4 === undefined || p6 === undefined || u2 === undefined) throw new Error(`missing captures: ${JSON.stringify(c.frames.map((f) => f.kind))}`);
    write({ file: 'keepalived-2.2.7-v3-ipv4-prio0-vrid57.hex', title: 'VRRPv3 IPv4 priority 0 advert sent when keepalived stops, advert_int 0.3, two VIPs',
      family: 4, version: 3, vrid: 57, priority: 0, advertInterval: 30, addresses: '192.0.2.157 192.0.2.158', checksumVariant: 'rfc5798', dst: '224.0.0.18' }, p4, '192.0.2.2');
    write({ file: 'keepalived-2.2.7-v3-ipv6-prio0-vrid58.hex', title: 'VRRPv3 IPv6 priority 0 advert sent when keepalived stops, advert_int 0.3',
      family: 6, version: 3, vrid: 58, priority: 0, advertInterval: 30, addresses: '2001:db8::158', checksumVariant: 'ipv6', dst: 'ff02::12' }, p6, ll);
    write({ file: 'keepalived-2.2.7-v2-unicast-vrid59.hex', title: 'VRRPv2 unicast advert to unicast_peer 192.0.2.1, auth_type PASS auth_pass uni, advert_int 1',
      family: 4, version: 2, vrid: 59, priority: 120, advertInterval: 1, addresses: '192.0.2.159', checksumVariant: 'v2', dst: '192.0.2.1', auth: 'pass:uni' }, u2, '192.0.2.2');
  } finally {
    cap?.stop();
    await ka?.kill9();
    lan.destroy();
    removeWorkDir(dir);
  }
}

main().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
