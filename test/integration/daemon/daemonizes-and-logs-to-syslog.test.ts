// keepalived's start-up conventions: `halb -f CONF` without -n detaches, writes its pid
// file and returns 0 once the daemon serves; without -l it logs to syslog, facility
// LOG_LOCALn with -S n, each message in keepalived's words. A python3 listener bound
// where the logger sends (--syslog-socket; /dev/log by default) reads the datagrams as
// a syslog daemon does. A configuration that cannot run makes the command fail with the
// daemon's reason and exit code.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HALB, freePort, startBackend } from '../../helpers/daemon-process.js';
import { listProcs } from '../../../src/sys/proc-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'halb-syslog-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LISTENER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    data = s.recv(65536)
    print(data.decode().replace("\\n", " "), flush=True)
`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(f: () => T | undefined, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('without -n: detaches, pid file, exit 0 once serving; syslog datagrams with -S 3 in keepalived\'s words', async () => {
  const web = await startBackend('web1');
  const vport = await freePort();
  const conf = join(dir, 'keepalived.conf');
  writeFileSync(conf, [
    `virtual_server 127.0.0.1 ${vport} {`, '    lb_algo rr', '    lb_kind NAT', '    protocol TCP',
    `    real_server 127.0.0.1 ${web.port} {`, '        weight 1',
    '        TCP_CHECK {', '            connect_timeout 3', '            nb_get_retry 3', '        }', '    }', '}', '',
  ].join('\n'));
  const logSock = join(dir, 'log');
  const py = spawn('python3', ['-c', LISTENER, logSock], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let partial = '';
  py.stdout.on('data', (c: Buffer) => {
    partial += c.toString();
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
  });
  const pidFile = join(dir, 'halb.pid');
  const socket = join(dir, 'halb.sock');
  let pid = 0;
  try {
    assert.ok(await until(() => (lines.includes('ready') ? true : undefined), 5000), 'listener bound');
    const r = spawnSync(process.execPath, [HALB, '-f', conf, '-p', pidFile, '--control-socket', socket, '--admin-listen', 'off',
      '--workers', '0', '-S', '3', '--syslog-socket', logSock], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, `${r.stderr}${r.stdout}`);
    assert.equal(r.stdout + r.stderr, '', 'nothing on the terminal: the logs went to syslog');
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    assert.ok(pid > 0 && pid !== r.pid && alive(pid), `a detached daemon runs (pid ${pid})`);
    const ctl = spawnSync(process.execPath, [HALB, 'ctl', '--control-socket', socket, 'list', '-n'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(ctl.status, 0, 'it serves by the time the command returned');
    assert.match(ctl.stdout, new RegExp(`^TCP  127\\.0\\.0\\.1:${vport} rr$`, 'm'));

    // LOG_LOCAL3 (19): info is <158>, err <155>; glibc's header, then halb[pid]: and the message.
    const head = `\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d halb\\[${pid}\\]: `;
    const has = (re: RegExp): boolean => lines.some((l) => re.test(l));
    assert.ok(await until(() => (has(new RegExp(`^<158>${head}Starting halb: 1 config file\\(s\\); VRRP: 0 vrrp instance\\(s\\); checkers and dataplane: 1 virtual server\\(s\\)`)) ? true : undefined), 3000),
      lines.join('\n'));
    assert.ok(has(new RegExp(`^<155>${head}\\(${conf.replaceAll('.', '\\.')}: Line 9\\) Unknown keyword 'nb_get_retry'$`)), lines.join('\n'));
    assert.ok(has(new RegExp(`^<158>${head}Activating healthchecker for service \\[127\\.0\\.0\\.1\\]:tcp:${web.port}`)), lines.join('\n'));

    process.kill(pid, 'SIGTERM');
    assert.ok(await until(() => (alive(pid) ? undefined : true), 10_000), 'stops on SIGTERM');
    assert.equal(existsSync(pidFile), false, 'the pid file goes with it');
    assert.ok(has(new RegExp(`^<158>${head}Received SIGTERM, stopping$`)), lines.join('\n'));
  } finally {
    if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    py.kill('SIGKILL');
    web.server.close();
  }
});

/** Processes whose command line names `needle` (the detached daemon has no other handle). */
async function processesNaming(needle: string): Promise<number[]> {
  return (await listProcs(true)).filter((p) => p.pid !== process.pid && (p.cmdline ?? []).some((a) => a.includes(needle))).map((p) => p.pid);
}

test('without -n: a configuration that cannot run fails the command with the daemon\'s reason, and the daemon is gone', async () => {
  const missing = join(dir, 'missing.conf');
  const r = spawnSync(process.execPath, [HALB, '-f', missing, '-p', join(dir, 'x.pid'), '--control-socket', join(dir, 'x.sock'),
    '--admin-listen', 'off', '-G'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /^halb: cannot start: .*missing\.conf/m);
  assert.equal(existsSync(join(dir, 'x.pid')), false);
  // The detached child that could not start must exit too (its dataplane's timers once kept it alive).
  let left = await processesNaming(missing);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((res) => setTimeout(res, 100));
    left = await processesNaming(missing);
  }
  for (const pid of left) process.kill(pid, 'SIGKILL');
  assert.deepEqual(left, [], 'the daemon that could not start is still running');
});
