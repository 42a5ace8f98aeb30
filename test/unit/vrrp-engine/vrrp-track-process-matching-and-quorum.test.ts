// vrrp_track_process without I/O: which processes match (name, command line, param_match
// exact / partial / initial as keepalived's check_params), and the quorum status with
// fork_delay / terminate_delay debouncing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesProcess, paramsMatch, ProcessQuorum } from '../../../src/vrrp/engine/process-quorum.js';
import type { TrackProcessSpec } from '../../../src/vrrp/engine/types.js';

const spec = (o: Partial<TrackProcessSpec> = {}): TrackProcessSpec => ({ name: 'p', process: 'nginx', weight: 0, quorum: 1, ...o });
const proc = (comm: string, cmdline?: string[]) => ({ pid: 10, ppid: 1, comm, ...(cmdline !== undefined ? { cmdline } : {}) });

test('by name: an exact match on /proc/PID/comm, like pgrep ^name$', () => {
  assert.equal(matchesProcess(spec(), proc('nginx')), true);
  assert.equal(matchesProcess(spec(), proc('nginx:')), false);
  assert.equal(matchesProcess(spec({ process: 'ssh' }), proc('sshd')), false);
});

test('full_command: argv[0] must equal the process, parameters only with param_match or configured args', () => {
  const s = spec({ process: '/usr/sbin/nginx', fullCommand: true });
  assert.equal(matchesProcess(s, proc('nginx', ['/usr/sbin/nginx', '-g', 'daemon off;'])), true);
  assert.equal(matchesProcess(s, proc('nginx', ['nginx'])), false);
  assert.equal(matchesProcess(s, proc('nginx')), false, 'no command line read: no match');
  assert.equal(matchesProcess(s, proc('kthreadd', [])), false, 'kernel threads have an empty command line');
});

test('param_match: exact, partial (first n equal) and initial (the last may be longer)', () => {
  assert.equal(paramsMatch('exact', ['-c', 'a.conf'], ['-c', 'a.conf']), true);
  assert.equal(paramsMatch('exact', ['-c', 'a.conf'], ['-c', 'a.conf', '-d']), false);
  assert.equal(paramsMatch('exact', [], []), true, 'param_match alone: no parameters at all');
  assert.equal(paramsMatch('exact', [], ['-d']), false);
  assert.equal(paramsMatch('partial', ['-c', 'a.conf'], ['-c', 'a.conf', '-d']), true);
  assert.equal(paramsMatch('partial', ['-c', 'a.conf'], ['-c', 'a.conf.bak']), false, 'partial compares whole parameters');
  assert.equal(paramsMatch('initial', ['-c', 'a.conf'], ['-c', 'a.conf.bak']), true);
  assert.equal(paramsMatch('initial', ['-c', 'a.conf'], ['-c']), false, 'fewer parameters than configured');
  assert.equal(paramsMatch('initial', ['-x'], ['-c', 'a.conf']), false);
  const s = spec({ process: 'haproxy', args: ['-f', '/etc/haproxy'], paramMatch: 'initial', fullCommand: true });
  assert.equal(matchesProcess(s, proc('haproxy', ['haproxy', '-f', '/etc/haproxy/haproxy.cfg'])), true);
});

test('quorum and quorum_max: OK inside [quorum, quorum_max], status changes only when a boundary is crossed', () => {
  const q = new ProcessQuorum(spec({ quorum: 2, quorumMax: 3 }), [1]);
  assert.equal(q.ok, false);
  assert.equal(q.add(2, 'exec', 0), true);
  assert.equal(q.ok, true);
  assert.equal(q.add(3, 'exec', 0), false, 'still inside');
  assert.equal(q.add(4, 'exec', 0), true, 'past quorum_max');
  assert.equal(q.ok, false);
  assert.equal(q.remove(4, 'exit', 0), true);
  assert.equal(q.ok, true);
  assert.equal(q.remove(99, 'exit', 0), false, 'not one of ours');
  const none = new ProcessQuorum(spec({ quorum: 0, quorumMax: 0 }), []);
  assert.equal(none.ok, true, 'quorum_max 0: OK while nothing runs');
  assert.equal(none.add(5, 'exec', 0), true);
  assert.equal(none.ok, false);
});

test('terminate_delay: losing the quorum waits; a new process inside the delay cancels it', () => {
  const q = new ProcessQuorum(spec({ terminateDelayMs: 2000 }), [1]);
  assert.equal(q.remove(1, 'exit', 100), false, 'not yet');
  assert.equal(q.ok, true);
  assert.equal(q.deadline, 2100);
  assert.equal(q.add(2, 'exec', 1000), false, 'restarted inside the delay: nothing to report');
  assert.equal(q.deadline, null);
  assert.equal(q.ok, true);
  assert.equal(q.remove(2, 'exit', 3000), false);
  assert.equal(q.expire(4999), false);
  assert.equal(q.expire(5000), true, 'the delay ran out with nothing running');
  assert.equal(q.ok, false);
  assert.equal(q.add(3, 'exec', 6000), true, 'an exec applies at once');
});

test('fork_delay: quorum gained by a fork waits; an exit inside the delay cancels it; a removal that is a rename does not wait', () => {
  const q = new ProcessQuorum(spec({ quorum: 2, forkDelayMs: 500, terminateDelayMs: 500 }), [1]);
  assert.equal(q.add(2, 'fork', 0), false);
  assert.equal(q.deadline, 500);
  assert.equal(q.remove(2, 'exit', 100), false, 'the child went away again');
  assert.equal(q.deadline, null);
  assert.equal(q.ok, false);
  assert.equal(q.add(3, 'fork', 1000), false);
  assert.equal(q.expire(1500), true);
  assert.equal(q.ok, true);
  assert.equal(q.remove(3, 'changed', 2000), true, 'renamed away: at once');
  assert.equal(q.ok, false);
});
