#!/usr/bin/env node
// man/halb.8 from the same source as `halb --help`: the compiled CLI's own help texts
// (root options and each subcommand's), turned into roff. Run after the build; the
// package's prepack runs it, so the man page in the tarball matches its --help.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}dist/src/cli/main.js`;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

function help(args) {
  const r = spawnSync(process.execPath, [cli, ...args, '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '1000' } });
  if (r.status !== 0) throw new Error(`halb ${args.join(' ')} --help: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

const esc = (s) => s.replace(/\\/g, '\\e').replace(/^([.'])/gm, '\\&$1').replace(/-/g, '\\-');

/** Commander's help: "Usage:", description, "Options:" and "Commands:" blocks of `  term  text` rows. */
function sections(text) {
  const out = { usage: '', description: [], options: [], commands: [] };
  let cur = 'description';
  for (const line of text.split('\n')) {
    if (line.startsWith('Usage: ')) { out.usage = line.slice(7); continue; }
    if (line === 'Options:') { cur = 'options'; continue; }
    if (line === 'Commands:') { cur = 'commands'; continue; }
    if (line.trim() === '') continue;
    if (cur === 'description') { out.description.push(line.trim()); continue; }
    const m = /^ {2}(\S.*?)(?: {2,}(.*))?$/.exec(line);
    if (m !== null) out[cur].push([m[1], m[2] ?? '']);
    else if (out[cur].length > 0) out[cur][out[cur].length - 1][1] += ` ${line.trim()}`;
  }
  return out;
}

const rows = (list) => list.map(([t, d]) => `.TP\n.B ${esc(t)}\n${esc(d)}`).join('\n');

const top = sections(help([]));
const lines = [
  `.TH HALB 8 "" "halb ${pkg.version}" "System Administration"`,
  '.SH NAME',
  `halb \\- ${esc(top.description.join(' '))}`,
  '.SH SYNOPSIS',
  `.B ${esc(top.usage)}`,
  '.SH DESCRIPTION',
  esc('halb reads keepalived.conf unchanged and runs what keepalived runs: VRRP (interoperable with keepalived 2.2.7), health checkers and a dataplane in place of IPVS. Its root options are keepalived(8)\'s, so an init script or unit written for keepalived works by changing the binary name. Without -n the daemon detaches, writes its pid file and the command returns once it serves; without -l it logs to syslog.'),
  '.SH OPTIONS',
  rows(top.options),
  '.SH COMMANDS',
];
for (const [term] of top.commands) {
  const name = term.split(/\s/)[0];
  if (name === 'help') continue;
  const sub = sections(help([name]));
  lines.push(`.SS ${esc(sub.usage)}`, esc(sub.description.join(' ')));
  if (sub.options.length > 0) lines.push(rows(sub.options));
  for (const [st] of sub.commands) {
    const s2 = st.split(/\s/)[0];
    if (s2 === 'help') continue;
    const leaf = sections(help([name, s2]));
    lines.push('.TP', `.B ${esc(leaf.usage)}`, esc(leaf.description.join(' ')));
    for (const [t, d] of leaf.options) lines.push('.RS', `.TP\n.B ${esc(t)}\n${esc(d)}`, '.RE');
  }
}
lines.push(
  '.SH SIGNALS',
  esc('SIGHUP reloads (by difference; a configuration with new errors is refused). SIGTERM and SIGINT stop. SIGUSR1 writes /tmp/keepalived.data, SIGUSR2 /tmp/keepalived.stats, SIGRTMIN+2 /tmp/keepalived.json, as keepalived does.'),
  '.SH FILES',
  '.TP\n.I /etc/keepalived/keepalived.conf\nthe configuration (keepalived.conf(5))',
  '.TP\n.I /run/halb.pid\nthe pid file when the daemon detaches (\\-p)',
  '.TP\n.I /run/halb/halb.sock\nthe control socket of halb ctl',
  '.SH SEE ALSO',
  'keepalived(8), keepalived.conf(5), ipvsadm(8)',
  '');
mkdirSync(`${root}man`, { recursive: true });
writeFileSync(`${root}man/halb.8`, lines.join('\n'));
console.log(`man/halb.8 written (${top.options.length} options, ${top.commands.length} commands)`);
