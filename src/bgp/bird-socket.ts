// BIRD's control socket protocol (what birdc speaks): the daemon greets with `0001`, each
// command is one line, and each reply line starts with a 4-digit code followed by '-'
// (more follows) or ' ' (last line); lines starting with a space continue the previous
// code. Codes 8xxx and 9xxx are errors (runtime, parse). Talking to the socket directly
// saves a birdc process per change.
import { connect } from 'node:net';
import { SysError } from '../core/errors.js';

export interface BirdReply {
  readonly code: number;
  readonly lines: readonly { code: number; text: string }[];
}

export class BirdCommandError extends SysError {
  constructor(message: string) {
    super('bird-control', message);
  }
}

/** Split the reply text into (code, text) lines; `done` when the last line arrived. */
export function parseReply(text: string): { done: boolean; reply: BirdReply } {
  const lines: { code: number; text: string }[] = [];
  let done = false;
  let last = 0;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const m = /^(\d{4})([ -])(.*)$/.exec(raw);
    if (m !== null) {
      last = Number(m[1]);
      lines.push({ code: last, text: m[3] as string });
      if (m[2] === ' ') done = true;
    } else if (raw.startsWith(' ')) {
      lines.push({ code: last, text: raw.slice(1) });
    }
  }
  return { done, reply: { code: last, lines } };
}

/** One command over a fresh connection (BIRD serves each client in turn). */
export function birdCommand(socketPath: string, command: string, timeoutMs = 10_000): Promise<BirdReply> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let buf = '';
    let greeted = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new BirdCommandError(`BIRD on ${socketPath} did not answer '${command}' within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new BirdCommandError(`cannot reach BIRD on ${socketPath}: ${e.code ?? e.message}`));
    });
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (!greeted) {
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        greeted = true;
        buf = buf.slice(nl + 1);
        sock.write(`${command}\n`);
      }
      const r = parseReply(buf);
      if (!r.done) return;
      clearTimeout(timer);
      sock.end();
      if (r.reply.code >= 8000) reject(new BirdCommandError(`BIRD '${command}': ${r.reply.lines.map((l) => l.text).join('; ')}`));
      else resolve(r.reply);
    });
  });
}

export interface BirdProtocolRow {
  readonly name: string;
  readonly proto: string;
  readonly state: string;
  /** BGP: Idle, Connect, Active, OpenSent, OpenConfirm, Established, Close, Down. */
  readonly info: string;
}

/** `show protocols` rows (code 1002 and its continuations). */
export function parseProtocols(r: BirdReply): BirdProtocolRow[] {
  const out: BirdProtocolRow[] = [];
  for (const l of r.lines) {
    if (l.code !== 1002) continue;
    const w = l.text.trim().split(/\s+/);
    if (w.length < 4) continue;
    const [name, proto, , state] = w as [string, string, string, string];
    const m = /\b(Idle|Connect|Active|OpenSent|OpenConfirm|Established|Close|Down)\b.*$/.exec(l.text);
    out.push({ name, proto, state, info: m !== null ? m[0].trim().replace(/\s+/g, ' ') : '' });
  }
  return out;
}
