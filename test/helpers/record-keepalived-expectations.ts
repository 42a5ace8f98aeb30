// Records what the real keepalived says about every config fixture, as root:
//
//   npx tsc -p tsconfig.json && node dist/test/helpers/record-keepalived-expectations.js [NAME ...]
//
// In a fresh network namespace holding the fixture veths (config-fixtures.ts
// FIXTURE_LINKS) it runs `keepalived -t -f NAME.conf [-i ID]` from each fixture's
// folder, then:
//  - good/: requires exit 0 and no message (prints the offenders and exits 1 otherwise);
//  - bad/ and seeds/: writes NAME.expect.json { keepalived, args, exit, lines, messages },
//    deduplicated as keepalived-output.ts explains; a bad/ fixture keepalived accepts
//    is an error.
// Expectations are for Debian's keepalived 2.2.7; another version is refused unless
// --any-version is given. NAME arguments restrict the run to those fixtures.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIXTURE_LINKS, checkArgs, listFixtures, type ConfigFixture, type FixtureExpectation,
} from './config-fixtures.js';
import { mainFileLines, parseKeepalivedOutput } from './keepalived-output.js';
import { NetNs, netnsUnavailable } from './netns.js';

const EXPECTED_VERSION = '2.2.7';

function keepalivedVersion(ns: NetNs): string {
  const r = ns.run('keepalived', ['--version']);
  const m = /Keepalived v(\S+)/.exec(`${r.stdout}${r.stderr}`);
  return m?.[1] ?? 'unknown';
}

function runKeepalivedCheck(ns: NetNs, f: ConfigFixture): { exit: number; output: string } {
  const r = ns.run('keepalived', checkArgs(f), { cwd: f.dir, timeoutMs: 20_000 });
  return { exit: r.status ?? 128, output: `${r.stdout}${r.stderr}` };
}

/** JSON with the short arrays on one line, so a diff of a re-recording reads well. */
function formatExpectation(e: FixtureExpectation): string {
  const j = (v: unknown): string => JSON.stringify(v);
  const msgs = e.messages.length === 0 ? '[]' : `[\n${e.messages.map((m) => `    ${j(m)}`).join(',\n')}\n  ]`;
  return `{\n  "keepalived": ${j(e.keepalived)},\n  "args": ${j(e.args)},\n  "exit": ${e.exit},\n` +
    `  "lines": ${j(e.lines)},\n  "messages": ${msgs}\n}\n`;
}

function main(argv: readonly string[]): number {
  const anyVersion = argv.includes('--any-version');
  const only = new Set(argv.filter((a) => !a.startsWith('--')));
  const why = netnsUnavailable(['keepalived']);
  if (why !== undefined) {
    process.stderr.write(`record-keepalived-expectations: ${why}\n`);
    return 2;
  }
  const ns = NetNs.create('record', FIXTURE_LINKS);
  let failures = 0;
  try {
    const version = keepalivedVersion(ns);
    if (version !== EXPECTED_VERSION && !anyVersion) {
      process.stderr.write(`keepalived is ${version}, expectations are for ${EXPECTED_VERSION} (use --any-version to record anyway)\n`);
      return 2;
    }
    for (const kind of ['good', 'bad', 'seeds'] as const) {
      for (const f of listFixtures(kind)) {
        if (only.size > 0 && !only.has(f.name)) continue;
        const { exit, output } = runKeepalivedCheck(ns, f);
        const msgs = parseKeepalivedOutput(output, f.dir);
        if (kind === 'good') {
          if (exit !== 0 || msgs.length > 0) {
            failures++;
            process.stderr.write(`good/${f.fileName}: keepalived exit ${exit}\n${msgs.map((m) => `  ${m.raw}\n`).join('')}`);
          } else process.stdout.write(`good/${f.fileName}: clean\n`);
          continue;
        }
        if (kind === 'bad' && exit === 0) {
          failures++;
          process.stderr.write(`bad/${f.fileName}: keepalived accepts it (exit 0)\n`);
          continue;
        }
        const expect: FixtureExpectation = {
          keepalived: version,
          args: checkArgs(f),
          exit,
          lines: mainFileLines(msgs, f.fileName),
          messages: msgs.map((m) => m.raw),
        };
        writeFileSync(join(f.dir, `${f.name}.expect.json`), formatExpectation(expect));
        process.stdout.write(`${kind}/${f.fileName}: exit ${exit}, lines [${expect.lines.join(', ')}]\n`);
      }
    }
  } finally {
    ns.destroy();
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
