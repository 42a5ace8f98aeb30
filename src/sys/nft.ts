// nftables and conntrack as the kernel dataplane sees them: one `nft -j -f` per
// transaction (the kernel applies a batch all or nothing), `nft -j list ...` for what is
// there, and the conntrack table read from /proc/net/nf_conntrack (the `conntrack` tool
// is not installed everywhere; the proc file is in every kernel built with
// CONFIG_NF_CONNTRACK_PROCFS, and is per network namespace).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotSupportedError, PermissionError, SysError } from '../core/errors.js';
import { execCommand, type NsOptions } from './exec-ns.js';

export type { NsOptions } from './exec-ns.js';

/** One object of `nft -j` output or input: `{ table: {...} }`, `{ add: {...} }`, ... */
export type NftJsonObject = Record<string, unknown>;

const NEED_ADMIN = 'CAP_NET_ADMIN';

/** Map what nft printed on failure to the typed error the caller reports. */
export function nftError(what: string, stderr: string, status: number): Error {
  const text = stderr.trim().split('\n').filter((l) => l !== '').slice(0, 12).join('\n');
  if (/Operation not permitted|Permission denied/i.test(text)) {
    return new PermissionError(NEED_ADMIN, `${what}: nftables needs ${NEED_ADMIN} (run as root or grant the capability): ${text}`);
  }
  if (/Protocol not supported|Operation not supported|Address family not supported/i.test(text)) {
    return new NotSupportedError(`${what}: this kernel's nf_tables cannot do it: ${text}`);
  }
  return new SysError('nft', `${what} failed (exit ${status}): ${text}`, undefined);
}

/**
 * Run `nft -j [-c] -f FILE` on `commands`. nft opens its input by path ("-" is
 * /dev/stdin), which fails on the socket Node gives a child as stdin, so the batch goes
 * through a private temporary file.
 */
async function nftBatch(commands: readonly NftJsonObject[], check: boolean, opts: NsOptions): Promise<{ status: number; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'halb-nft-'));
  try {
    const file = join(dir, 'batch.json');
    await writeFile(file, JSON.stringify({ nftables: commands }), { mode: 0o600 });
    return await execCommand('nft', [...(check ? ['-c'] : []), '-j', '-f', file], { ...opts, timeoutMs: 60_000 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Apply `commands` (nft JSON commands: add/delete/flush/...) as one transaction. The
 * kernel commits all of them or none.
 */
export async function nftTransaction(commands: readonly NftJsonObject[], opts: NsOptions = {}): Promise<void> {
  if (commands.length === 0) return;
  const r = await nftBatch(commands, false, opts);
  if (r.status !== 0) throw nftError('nft transaction', r.stderr, r.status);
}

/** `nft -j list <what...>` as its array of objects (metainfo first). */
export async function nftList(what: readonly string[], opts: NsOptions = {}): Promise<NftJsonObject[]> {
  const r = await execCommand('nft', ['-j', 'list', ...what], { ...opts, timeoutMs: 30_000 });
  if (r.status !== 0) throw nftError(`nft list ${what.join(' ')}`, r.stderr, r.status);
  // nft 1.0.6 prints statements it has no JSON form for (map updates) as strings and
  // warns on stderr; the output stays valid JSON.
  const parsed = JSON.parse(r.stdout === '' ? '{"nftables":[]}' : r.stdout) as { nftables?: NftJsonObject[] };
  return parsed.nftables ?? [];
}

/** Whether `nft list tables` shows `family name`. */
export async function nftHasTable(family: string, name: string, opts: NsOptions = {}): Promise<boolean> {
  const objs = await nftList(['tables'], opts);
  return objs.some((o) => {
    const t = o.table as { family?: string; name?: string } | undefined;
    return t?.family === family && t.name === name;
  });
}

/** `nft --version`, e.g. "nftables v1.0.6 (Lester Gooch #5)". */
export async function nftVersion(opts: NsOptions = {}): Promise<string> {
  const r = await execCommand('nft', ['--version'], opts);
  if (r.status !== 0) throw new NotSupportedError(`nft --version failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Check the transaction without committing it (`nft -c`): the kernel validates every
 * expression, so a missing feature (numgen, jhash, fwd, the netdev family) shows here.
 */
export async function nftCheck(commands: readonly NftJsonObject[], opts: NsOptions = {}): Promise<void> {
  const r = await nftBatch(commands, true, opts);
  if (r.status !== 0) throw nftError('nft check', r.stderr, r.status);
}

/** The text of a /proc file as seen from `opts.netns` (network files differ per namespace). */
export async function readProcFile(path: string, opts: NsOptions = {}): Promise<string> {
  if (opts.netns === undefined) {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new NotSupportedError(`${path} does not exist on this kernel`, { cause: e });
      if (code === 'EACCES' || code === 'EPERM') throw new PermissionError(NEED_ADMIN, `cannot read ${path}: ${code}`, { cause: e });
      throw new SysError('read', `cannot read ${path}: ${(e as Error).message}`, code, { cause: e });
    }
  }
  const r = await execCommand('cat', [path], opts);
  if (r.status !== 0) {
    if (/No such file/.test(r.stderr)) throw new NotSupportedError(`${path} does not exist on this kernel`);
    throw new SysError('read', `cannot read ${path} in netns ${opts.netns}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** The conntrack table, one line per entry (the format of /proc/net/nf_conntrack). */
export function readConntrack(opts: NsOptions = {}): Promise<string> {
  return readProcFile('/proc/net/nf_conntrack', opts);
}
