// What the IPVS engine needs from the host, as an interface: apply.ts implements it over
// generic netlink and /proc (src/sys/), tests can implement it in memory.
import type { IpvsConnEntry, IpvsStats } from '../../core/ipvs-types.js';
import type { IpvsOp } from './plan.js';
import type { IpvsDestDef, IpvsServiceDef, IpvsTimeouts } from './table.js';


export interface IpvsDestRead extends IpvsDestDef {
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly persistConns: number;
  readonly stats: IpvsStats;
}

export interface IpvsServiceRead {
  readonly service: IpvsServiceDef;
  readonly stats: IpvsStats;
  readonly dests: readonly IpvsDestRead[];
}

/** A row of the connection table (/proc/net/ip_vs_conn). */
export type IpvsConnRead = IpvsConnEntry;

export interface IpvsBackend {
  /** Every service in the kernel (halb's and anyone else's) with its destinations. */
  read(): Promise<IpvsServiceRead[]>;
  /** Run one command; rejects with the kernel's error (a typed HalbError). */
  run(op: IpvsOp): Promise<void>;
  setTimeouts(t: IpvsTimeouts): Promise<void>;
  connections(): Promise<IpvsConnRead[]>;
  /** The keys of the services an earlier run of halb created (its ownership record). */
  loadOwned(): Promise<string[]>;
  saveOwned(keys: readonly string[]): Promise<void>;
  close(): void;
}

export type { IpvsStats } from '../../core/ipvs-types.js';
