// What the IPVS engine needs from the host, as an interface: apply.ts implements it over
// generic netlink and /proc (src/sys/), tests can implement it in memory.
import type { IpvsOp } from './plan.js';
import type { IpvsDestDef, IpvsServiceDef, IpvsTimeouts } from './table.js';

/** IPVS's counters and its own rate estimates (per second), as STATS64 carries them. */
export interface IpvsStats {
  readonly conns: number;
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly cps: number;
  readonly inPps: number;
  readonly outPps: number;
  readonly inBps: number;
  readonly outBps: number;
}

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
export interface IpvsConnRead {
  readonly protocol: string;
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly virtualAddress: string;
  readonly virtualPort: number;
  readonly destAddress: string;
  readonly destPort: number;
  readonly state: string;
  readonly expiresS: number;
}

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
