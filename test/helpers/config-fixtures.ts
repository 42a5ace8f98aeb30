// The keepalived.conf fixtures under test/fixtures/config/ and the host they were
// written for. Tests run from dist/, so the fixture folder is found from the repo
// root (the first ancestor holding package.json), not from the compiled file.
//
//   good/   configs `keepalived -t` accepts (exit 0, no message); NAME.opts.json, when
//           present, holds the config id (-i) the fixture is checked with.
//   bad/    one kind of error each; NAME.expect.json records what keepalived 2.2.7 said.
//   seeds/  the configurations from the seed blog posts, verbatim but for interface
//           names; NAME.expect.json as for bad/.
// Regenerate the expect files with test/helpers/record-keepalived-expectations.ts
// (see test/fixtures/config/README.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePrefix, type Prefix } from '../../src/config/readers.js';
import { SC, type HostInfo, type ScriptHost } from '../../src/config/host.js';

export type FixtureKind = 'good' | 'bad' | 'seeds';

/** What keepalived 2.2.7 printed for a fixture, deduplicated (see keepalived-output.ts). */
export interface FixtureExpectation {
  readonly keepalived: string;
  readonly args: readonly string[];
  readonly exit: number;
  /** Line numbers (in the fixture file) that keepalived's messages name, ascending. */
  readonly lines: readonly number[];
  readonly messages: readonly string[];
}

export interface FixtureOptions {
  /** `-i ID` for @ID conditional lines. */
  readonly configId?: string;
}

export interface ConfigFixture {
  readonly kind: FixtureKind;
  /** File name without `.conf`. */
  readonly name: string;
  readonly fileName: string;
  readonly dir: string;
  readonly path: string;
  readonly opts: FixtureOptions;
  /** Present for bad/ and seeds/ once recorded. */
  readonly expect: FixtureExpectation | undefined;
}

/** One veth of the fixture host: the configs name `name`; `peer` is its other end. */
export interface FixtureLink {
  readonly name: string;
  readonly peer: string;
  readonly addresses: readonly string[];
}

/**
 * The interfaces every fixture may name. kv3 has no address on purpose (a tracked
 * interface need not have one). Documentation prefixes only (RFC 5737, RFC 3849).
 */
export const FIXTURE_LINKS: readonly FixtureLink[] = [
  { name: 'kv0', peer: 'kv0p', addresses: ['192.0.2.2/24', '2001:db8::2/64'] },
  { name: 'kv1', peer: 'kv1p', addresses: ['198.51.100.2/24', '2001:db8:1::2/64'] },
  { name: 'kv2', peer: 'kv2p', addresses: ['203.0.113.2/24'] },
  { name: 'kv3', peer: 'kv3p', addresses: [] },
];

/**
 * The programs the fixtures' scripts run; every Debian machine has them. Unit tests
 * take this list as the host's executables, so script checks do not depend on the
 * machine (inside the netns, halb -t looks at the real file system).
 */
export const FIXTURE_PROGRAMS: readonly string[] = [
  '/usr/bin/test', '/bin/bash', '/usr/bin/logger', '/bin/true', '/bin/false', '/bin/sh',
];

/** The fixture host as halb's host-dependent checks see it (what `halb -t` reads inside the netns). */
export function fixtureHost(): HostInfo {
  const prefixes = (addrs: readonly string[]): Prefix[] => addrs.map((a) => {
    const p = parsePrefix(a);
    if (typeof p === 'string') throw new Error(`fixture topology: ${p}`);
    return p;
  });
  return {
    interfaces: [
      { name: 'lo', loopback: true, prefixes: prefixes(['127.0.0.1/8', '::1/128']) },
      ...FIXTURE_LINKS.flatMap((l) => [
        { name: l.name, loopback: false, prefixes: prefixes(l.addresses) },
        { name: l.peer, loopback: false, prefixes: [] },
      ]),
    ],
  };
}

/** The fixture host's scripts: FIXTURE_PROGRAMS exist, root-owned and safe; no keepalived_script user. */
export function fixtureScripts(): ScriptHost {
  return {
    self: { uid: 0, gid: 0 },
    lookup: (user, group) => (user === 'root' && (group === undefined || group === 'root')
      ? { ok: true, uid: 0, gid: 0, label: group === undefined ? user : `${user}:${group}` }
      : { ok: false, message: `Script user '${user}' does not exist` }),
    check: (argv0) => (FIXTURE_PROGRAMS.includes(argv0)
      ? { flags: SC.ISSCRIPT | SC.EXECUTABLE, path: argv0, messages: [], viaShell: false }
      : { flags: SC.NOTFOUND, path: argv0, messages: [`Script ${argv0} cannot be accessed - No such file or directory`], viaShell: false }),
  };
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'fixtures'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('config-fixtures: cannot find the repository root above this file');
    dir = up;
  }
}

export function fixtureDir(kind: FixtureKind): string {
  return resolve(repoRoot(), 'test', 'fixtures', 'config', kind);
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as T : undefined;
}

/**
 * Every `*.conf` directly in the kind's folder (included fragments live in
 * sub-folders). Throws when the glob matches nothing, so a moved folder can never
 * turn a fixture loop into a test that checks nothing.
 */
export function listFixtures(kind: FixtureKind): ConfigFixture[] {
  const dir = fixtureDir(kind);
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.conf')).sort() : [];
  if (names.length === 0) throw new Error(`config-fixtures: ${dir}/*.conf matched no file`);
  return names.map((fileName) => {
    const name = fileName.slice(0, -'.conf'.length);
    return {
      kind,
      name,
      fileName,
      dir,
      path: join(dir, fileName),
      opts: readJson<FixtureOptions>(join(dir, `${name}.opts.json`)) ?? {},
      expect: readJson<FixtureExpectation>(join(dir, `${name}.expect.json`)),
    };
  });
}

export function fixture(kind: FixtureKind, name: string): ConfigFixture {
  const f = listFixtures(kind).find((x) => x.name === name);
  if (f === undefined) throw new Error(`config-fixtures: no fixture ${kind}/${name}.conf`);
  return f;
}

/** `-t -f NAME.conf [-i ID]`, run with the fixture's folder as working directory. */
export function checkArgs(f: ConfigFixture): string[] {
  return ['-t', '-f', f.fileName, ...(f.opts.configId !== undefined ? ['-i', f.opts.configId] : [])];
}
