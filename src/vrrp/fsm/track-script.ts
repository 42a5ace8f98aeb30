// The rise/fall counter of a vrrp_script: turns raw script results into OK / FAIL the
// way keepalived's vrrp_script_child_thread does (keepalived/vrrp/vrrp_scheduler.c).
//
// keepalived keeps one integer, `result`, in [0, rise + fall - 1]; the script is OK while
// result >= rise. A success counts up towards rise and, on reaching it, jumps to the top
// (rise + fall - 1) so that `fall` failures are then needed; a failure counts down from
// the top and, on reaching rise, drops to 0 so that `rise` successes are needed again.
// Before its first run a script is INIT with result = rise - 1: one success is enough,
// and one failure is reported as a failure. With `init_fail` it starts at 0, failed.

import assert from 'node:assert/strict';

export interface ScriptCounterConfig {
  readonly name: string;
  /** `rise` (dflt 1): successes needed to go OK. */
  readonly rise: number;
  /** `fall` (dflt 1): failures needed to go FAIL. */
  readonly fall: number;
  /** `init_fail`: assume failed until the script succeeds `rise` times. */
  readonly initFail?: boolean;
}

export interface ScriptCounter {
  readonly config: ScriptCounterConfig;
  readonly result: number;
  /** No result yet (keepalived's SCRIPT_INIT_STATE_INIT). */
  readonly init: boolean;
  /** Last exit status, for the "now returning" log line. */
  readonly lastStatus: number | null;
}

export type ScriptStatus = 'OK' | 'FAIL' | 'INIT';

export type ScriptOutcome =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: number }
  /** Killed by us after `timeout`: keepalived's "timed_out". */
  | { readonly kind: 'timeout' };

export interface ScriptUpdate {
  readonly counter: ScriptCounter;
  readonly status: ScriptStatus;
  /** The status differs from before this result. */
  readonly changed: boolean;
  /** keepalived's log lines for this result, in order. */
  readonly logs: readonly string[];
}

export function createScriptCounter(config: ScriptCounterConfig): ScriptCounter {
  assert.ok(config.rise >= 1 && config.fall >= 1, `VRRP_Script(${config.name}) rise/fall must be >= 1`);
  const initFail = config.initFail === true;
  return { config, result: initFail ? 0 : config.rise - 1, init: !initFail, lastStatus: null };
}

export function scriptStatus(c: ScriptCounter): ScriptStatus {
  if (c.init) return 'INIT';
  return c.result >= c.config.rise ? 'OK' : 'FAIL';
}

export function recordScriptResult(c: ScriptCounter, outcome: ScriptOutcome): ScriptUpdate {
  const { name, rise, fall } = c.config;
  const before = scriptStatus(c);
  const logs: string[] = [];
  let lastStatus = c.lastStatus;
  if (outcome.kind === 'exit') {
    if (outcome.code !== c.lastStatus) logs.push(`Script \`${name}\` now returning ${outcome.code}`);
    lastStatus = outcome.code;
  }
  const success = outcome.kind === 'exit' && outcome.code === 0;
  const top = rise + fall - 1;
  let result = c.result;
  if (success) {
    if (result < rise - 1) {
      result++;
    } else if (result !== top) {
      if (result < rise) logs.push(`VRRP_Script(${name}) succeeded`);
      result = top;
    }
  } else if (result > rise) {
    result--;
  } else {
    if (result === rise || c.init) {
      const detail = outcome.kind === 'exit' ? ` (exited with status ${outcome.code})`
        : outcome.kind === 'signal' ? ` (due to signal ${outcome.signal})` : '';
      logs.push(`VRRP_Script(${name}) ${outcome.kind === 'timeout' ? 'timed_out' : 'failed'}${detail}`);
    }
    result = 0;
  }
  const counter: ScriptCounter = { config: c.config, result, init: false, lastStatus };
  const status = scriptStatus(counter);
  return { counter, status, changed: status !== before, logs };
}
