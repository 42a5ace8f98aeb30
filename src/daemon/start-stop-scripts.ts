// global_defs startup_script / shutdown_script (keepalived main.c): the first runs before
// VRRP, checkers and the dataplane start, the second once they have stopped; each is
// waited for up to its *_script_timeout (default 10 s), then its process group is
// terminated. Their result never stops halb from starting or stopping.
import type { Logger } from '../core/log.js';
import { describeResult, type ScriptPort } from '../core/script.js';
import type { GlobalDefs } from '../config/model/global.js';

export async function runStartStopScript(kind: 'startup' | 'shutdown', g: GlobalDefs, scripts: ScriptPort, log: Logger): Promise<void> {
  const script = kind === 'startup' ? g.startupScript : g.shutdownScript;
  if (script === undefined) return;
  const timeoutS = kind === 'startup' ? g.startupScriptTimeoutS : g.shutdownScriptTimeoutS;
  log.info(`Running ${kind} script ${script.text}`, { timeoutS });
  const r = await scripts.run(script, [], timeoutS * 1000);
  const msg = `${kind} script ${describeResult(r)}`;
  if (r.kind === 'exit' && r.code === 0 && !r.timedOut) log.info(msg);
  else if (r.kind === 'spawn-error') log.error(msg);
  else log.warn(msg);
}
