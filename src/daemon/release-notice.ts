// What `halb ctl release` / POST .../release tells the operator after a release: how long
// the priority is held at 1, and whether and when the instance takes mastership back. A
// preempting instance is BACKUP with its own priority again once the hold ends; it ignores
// a lower-priority master's adverts, so its Master_Down timer (one Master_Down_Interval,
// the same length as the default hold) runs out and it preempts: about two holds from now.
import type { KeepalivedConfig } from '../config/index.js';
import type { ReleaseNotice } from '../api/admin-types.js';

export function releaseNotice(cfg: KeepalivedConfig, released: { readonly instances: readonly string[]; readonly holdMs: number }): ReleaseNotice {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const preempting = released.instances.filter((n) => cfg.vrrpInstances.find((i) => i.name === n)?.nopreempt !== true);
  const names = (ns: readonly string[]): string => ns.map((n) => `(${n})`).join(' ');
  const parts = [`priority held at 1 for ${s(released.holdMs)}`];
  if (preempting.length > 0) {
    parts.push(`then ${names(preempting)} preempt${preempting.length === 1 ? 's' : ''} back: mastership returns in about ` +
      `${s(2 * released.holdMs)} unless the new master has a higher priority (use nopreempt to stay BACKUP)`);
  }
  const staying = released.instances.filter((n) => !preempting.includes(n));
  if (staying.length > 0) parts.push(`${names(staying)} nopreempt: stays BACKUP until the new master fails or releases`);
  return { instances: released.instances, holdMs: released.holdMs, message: parts.join('; ') };
}
