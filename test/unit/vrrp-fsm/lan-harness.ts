// A simulated LAN for the pure VRRP instance FSM: each Router holds one InstanceState,
// arms one FakeClock timer at the FSM's nextDeadline, and broadcasts its send-advert
// actions to the other routers after `latencyMs`. Nothing sleeps; tests step the clock.

import { FakeClock, type TimerHandle } from '../../../src/core/clock.js';
import { createInstance, step, type InstanceInit } from '../../../src/vrrp/fsm/instance-fsm.js';
import {
  instanceConfig, type InstanceConfigInput, type InstanceState, type VrrpAction, type VrrpEvent,
} from '../../../src/vrrp/fsm/fsm-types.js';

export interface Recorded {
  readonly t: number;
  readonly action: VrrpAction;
}

export class Lan {
  readonly clock = new FakeClock();
  readonly routers: Router[] = [];
  latencyMs = 0;
  /** Routers whose adverts neither leave nor arrive (a cable pulled, a firewall). */
  readonly isolated = new Set<string>();

  add(input: InstanceConfigInput, init?: InstanceInit): Router {
    const r = new Router(this, input, init);
    this.routers.push(r);
    return r;
  }

  broadcast(from: Router, priority: number): void {
    if (this.isolated.has(from.id)) return;
    for (const to of this.routers) {
      if (to === from || this.isolated.has(to.id)) continue;
      const event: VrrpEvent = {
        kind: 'advert', priority, srcAddr: from.state.config.primaryAddr, advertIntCs: from.state.config.advertIntCs,
      };
      this.clock.setTimer(this.latencyMs, () => to.send(event));
    }
  }

  /** Advance the clock to absolute time `t` ms. */
  runUntil(t: number): void {
    this.clock.advance(t - this.clock.now());
  }
}

export class Router {
  state: InstanceState;
  readonly id: string;
  readonly log: Recorded[] = [];
  #timer: TimerHandle | null = null;
  nextDeadline: number | null = null;

  constructor(readonly lan: Lan, input: InstanceConfigInput, init?: InstanceInit) {
    this.state = createInstance(instanceConfig(input), init);
    this.id = input.primaryAddr;
  }

  send(event: VrrpEvent): void {
    const now = this.lan.clock.now();
    const r = step(this.state, event, now);
    this.state = r.state;
    for (const action of r.actions) {
      this.log.push({ t: now, action });
      if (action.kind === 'send-advert') this.lan.broadcast(this, action.priority);
    }
    this.#arm(r.nextDeadline);
  }

  #arm(deadline: number | null): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.nextDeadline = deadline;
    if (deadline === null) return;
    this.#timer = this.lan.clock.setTimer(deadline - this.lan.clock.now(), () => this.send({ kind: 'timer' }));
  }

  /** [time, state] each time the FSM notified a state change. */
  transitions(): Array<[number, string]> {
    return this.log
      .filter((r) => r.action.kind === 'notify' && ['MASTER', 'BACKUP', 'FAULT', 'STOP'].includes(r.action.to))
      .map((r) => [r.t, r.action.kind === 'notify' ? r.action.to : '']);
  }

  /** Log messages, in order. */
  messages(): string[] {
    return this.log.flatMap((r) => (r.action.kind === 'log' ? [r.action.message] : []));
  }

  /** Times at which an advert with the given priority was sent. */
  advertsAt(priority?: number): number[] {
    return this.log
      .filter((r) => r.action.kind === 'send-advert' && (priority === undefined || r.action.priority === priority))
      .map((r) => r.t);
  }

  actionsOf(kind: VrrpAction['kind']): Recorded[] {
    return this.log.filter((r) => r.action.kind === kind);
  }
}

/** Two-router VRRPv2 set-up on 192.0.2.0/24 with keepalived defaults unless overridden. */
export function pair(
  a: Partial<InstanceConfigInput> = {}, b: Partial<InstanceConfigInput> = {},
): { lan: Lan; a: Router; b: Router } {
  const lan = new Lan();
  const ra = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.1', ...a });
  const rb = lan.add({ name: 'VI_1', vrid: 51, primaryAddr: '192.0.2.2', ...b });
  return { lan, a: ra, b: rb };
}
