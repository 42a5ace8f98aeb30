// Type=notify: the daemon tells the service manager READY=1 once it serves, RELOADING=1
// (with MONOTONIC_USEC) then READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM. The
// manager's end is a unix datagram socket in NOTIFY_SOCKET; Node cannot open one, so a
// tiny python3 listener (python3 is on every machine that builds the addon) prints each
// datagram as one JSON line with the sender's pid from SCM_CREDENTIALS, as systemd reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, poolConf, startHalb, until } from './harness.js';

const LISTENER = `
import json, os, socket, struct, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
print(json.dumps({"ready": True}), flush=True)
while True:
    data, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = None
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", payload[:12])[0]
    print(json.dumps({"pid": pid, "text": data.decode()}), flush=True)
`;

interface Datagram { readonly pid: number | null; readonly text: string }

test('READY=1 at start, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM, sent by the main pid', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'halb-notify-'));
  const sock = join(dir, 'notify');
  const py = spawn('python3', ['-c', LISTENER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  const got: Datagram[] = [];
  let ready = false;
  let partial = '';
  py.stdout.on('data', (c: Buffer) => {
    partial += c.toString();
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const rec = JSON.parse(partial.slice(0, nl)) as Datagram & { ready?: boolean };
      partial = partial.slice(nl + 1);
      if (rec.ready === true) ready = true;
      else got.push(rec);
    }
  });
  const fields = (d: Datagram): Map<string, string> => new Map(d.text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const find = (key: string, value: string, from = 0): number => got.findIndex((d, i) => i >= from && fields(d).get(key) === value);
  try {
    await until(() => (ready ? true : undefined), 5000);
    const vport = await freePort();
    const halb = await startHalb({ conf: poolConf(vport, []), env: { NOTIFY_SOCKET: sock } });
    const pid = halb.child.pid;
    try {
      const r0 = await until(() => { const i = find('READY', '1'); return i >= 0 ? i : undefined; }, 5000);
      const first = got[r0];
      assert.ok(first !== undefined);
      assert.equal(first.pid, pid, 'sent by the daemon itself (NotifyAccess=main accepts it)');
      assert.equal(fields(first).get('MAINPID'), String(pid));

      halb.child.kill('SIGHUP');
      const rl = await until(() => { const i = find('RELOADING', '1', r0 + 1); return i >= 0 ? i : undefined; }, 5000);
      assert.match(fields(got[rl] as Datagram).get('MONOTONIC_USEC') ?? '', /^\d+$/);
      const r1 = await until(() => { const i = find('READY', '1', rl + 1); return i >= 0 ? i : undefined; }, 5000);
      assert.match(fields(got[r1] as Datagram).get('STATUS') ?? '', /reload/);

      halb.child.kill('SIGTERM');
      await until(() => (find('STOPPING', '1', r1 + 1) >= 0 ? true : undefined), 5000);
      assert.equal(await halb.exited(), 0);
    } finally {
      await halb.stop();
    }
  } finally {
    py.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
