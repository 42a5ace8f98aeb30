// Step 3 of the IPVS engine, and the only file of it that touches the host: the
// IpvsBackend over generic netlink (sys/ipvs-netlink.ts), /proc/net/ip_vs_conn, and the
// ownership record.
//
// Ownership: IPVS has no place to tag a service with its creator, so halb records the
// keys of the services it created in a file under /run/halb, one per network namespace
// (two directors of a lab on one host each have their own IPVS table). The key set is
// written before a service is created and after every apply, so a crash leaves a record
// naming everything halb may have left behind; the next start adopts those services
// (edits or removes them by difference) and never touches any other.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HalbError, SysError } from '../../core/errors.js';
import { IpvsNetlink, loadIpvsModule, readIpvsConnections } from '../../sys/ipvs-netlink.js';
import type { IpvsBackend, IpvsServiceRead } from './backend.js';
import type { IpvsOp } from './plan.js';

export interface SystemIpvsOptions {
  /** Where the ownership record lives; default /run/halb/ipvs-owned-<netns inode>.json. */
  readonly ownershipFile?: string;
}

export const RUN_DIR = '/run/halb';

/** The default ownership record of this process's network namespace. */
export async function defaultOwnershipFile(): Promise<string> {
  let ns = 'init';
  try {
    ns = String((await stat('/proc/self/ns/net')).ino);
  } catch {
    // No /proc: one record for the host.
  }
  return join(RUN_DIR, `ipvs-owned-${ns}.json`);
}

/** Load ip_vs if needed and open the IPVS netlink family (NotSupportedError / PermissionError otherwise). */
export async function openIpvs(): Promise<IpvsNetlink> {
  try {
    return await IpvsNetlink.open();
  } catch (e) {
    if (!(e instanceof HalbError) || e.code !== 'HALB_ERR_NOT_SUPPORTED') throw e;
    // IPVS registers its netlink family only once the module is in: load it and ask again.
    if (!(await loadIpvsModule())) throw e;
    return IpvsNetlink.open();
  }
}

export async function systemIpvsBackend(opts: SystemIpvsOptions = {}): Promise<IpvsBackend> {
  const nl = await openIpvs();
  const file = opts.ownershipFile ?? await defaultOwnershipFile();
  return {
    async read(): Promise<IpvsServiceRead[]> {
      const services = await nl.services();
      const out: IpvsServiceRead[] = [];
      for (const s of services) {
        const { stats, ...service } = s;
        out.push({ service, stats, dests: await nl.dests(service) });
      }
      return out;
    },
    async run(op: IpvsOp): Promise<void> {
      switch (op.kind) {
        case 'add-service': return nl.addService(op.service);
        case 'edit-service': return nl.editService(op.service);
        case 'del-service': return nl.delService(op.service);
        case 'add-dest': return nl.addDest(op.service, op.dest);
        case 'edit-dest': return nl.editDest(op.service, op.dest);
        case 'del-dest': return nl.delDest(op.service, op.dest);
      }
    },
    setTimeouts: (t) => nl.setTimeouts(t),
    connections: () => readIpvsConnections(),
    async loadOwned(): Promise<string[]> {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new SysError('read', `cannot read the IPVS ownership record ${file}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code, { cause: e });
      }
      try {
        const v = JSON.parse(text) as { services?: unknown };
        return Array.isArray(v.services) ? v.services.filter((k): k is string => typeof k === 'string') : [];
      } catch {
        // A torn record (crash mid-write cannot happen with rename, but an edited one can): own nothing.
        return [];
      }
    },
    async saveOwned(keys: readonly string[]): Promise<void> {
      try {
        if (keys.length === 0) {
          await rm(file, { force: true });
          return;
        }
        await mkdir(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify({ services: [...keys].sort() })}\n`);
        await rename(tmp, file);
      } catch (e) {
        throw new SysError('write', `cannot write the IPVS ownership record ${file}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code, { cause: e });
      }
    },
    close: () => nl.close(),
  };
}
