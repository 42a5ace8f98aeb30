// contrib/systemd/halb.service: Type=notify, reload by SIGHUP, and no stricter than
// Debian's keepalived.service: no ExecStartPre config test (the daemon starts a config
// keepalived starts, with errors it skips), no capability or sandbox restrictions, no
// PrivateTmp (the dumps go to /tmp); and systemd's own checker accepts it with
// ExecStart pointing at this build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HALB } from '../../helpers/daemon-process.js';
import { repoRoot } from '../../helpers/vrrp-nodes.js';

const UNIT = join(repoRoot(), 'contrib', 'systemd', 'halb.service');

function settings(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (l === '' || l.startsWith('#') || l.startsWith('[')) continue;
    const eq = l.indexOf('=');
    const k = l.slice(0, eq);
    m.set(k, [...(m.get(k) ?? []), l.slice(eq + 1)]);
  }
  return m;
}

/** Settings that make a unit refuse to start or take something away from the daemon or its scripts. */
const STRICTER = /^(ExecStartPre|ExecCondition|CapabilityBoundingSet|AmbientCapabilities|NoNewPrivileges|User|Group|DynamicUser|Private\w+|Protect\w+|Restrict\w+|ReadOnlyPaths|InaccessiblePaths|SystemCallFilter|MemoryDenyWriteExecute|LockPersonality|Condition(?!FileNotEmpty)\w+|Assert\w+)$/;

test('the unit is Type=notify, reloads with SIGHUP and is no stricter than keepalived.service', (t) => {
  const text = readFileSync(UNIT, 'utf8');
  const s = settings(text);
  assert.deepEqual(s.get('Type'), ['notify']);
  assert.deepEqual(s.get('ExecReload'), ['/bin/kill -HUP $MAINPID']);
  assert.match(s.get('ExecStart')?.[0] ?? '', /halb --dont-fork --use-file \/etc\/keepalived\/keepalived\.conf/);
  assert.doesNotMatch(s.get('ExecStart')?.[0] ?? '', /--log-console/, 'syslog, as keepalived logs under systemd');
  assert.deepEqual([...s.keys()].filter((k) => STRICTER.test(k)), [], 'nothing keepalived.service does not restrict');
  // keepalived.service has the same condition: start only with a configuration.
  assert.deepEqual(s.get('ConditionFileNotEmpty'), ['/etc/keepalived/keepalived.conf']);

  if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
    t.skip('systemd-analyze is not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'halb-unit-'));
  try {
    const local = join(dir, 'halb.service');
    writeFileSync(local, text.replaceAll('/usr/local/bin/halb', `${process.execPath} ${HALB}`));
    const r = spawnSync('systemd-analyze', ['verify', local], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.split('\n').filter((l) => l.includes('halb.service')).join('\n'), '', 'no complaint about the unit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
