// Text-level edits of keepalived.conf files for the IPVS oracle test
// (test/vm/ipvs-oracle-keepalived.test.ts): strip health checkers, and make the
// "reload" variant of a config (weights changed, a real server removed and one
// added per virtual server, the last virtual server removed and a new one added).
// Edits work on whole lines of the original text, so comments, parameters
// ($NAME, multi-line definitions with trailing backslashes), conditional lines and
// includes stay exactly as keepalived would read them.

/** A `{ ... }` block: its keyword line and the lines through its closing brace. */
export interface ConfBlock {
  /** First word of the block's head (after an `@id` conditional prefix). */
  readonly keyword: string;
  /** The rest of the head's words. */
  readonly args: readonly string[];
  /** Offset of the start of the head's line. */
  readonly start: number;
  /** Offset of the closing brace. */
  readonly close: number;
  /** Offset just past the closing brace's line (its newline included). */
  readonly end: number;
  readonly children: readonly ConfBlock[];
}

interface Building {
  keyword: string;
  args: string[];
  start: number;
  children: ConfBlock[];
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * Parse the block structure. Comments (`#`, `!`) run to the end of the line; quoted
 * strings and `${NAME}` parameter references may hold braces. A block's head is the statement its `{` ends, or, when the
 * brace stands alone, the statement on the line before. Unbalanced input (the seeds
 * have a missing brace) closes what is open at the end of the text.
 */
export function parseBlocks(text: string): ConfBlock[] {
  const root: Building = { keyword: '', args: [], start: 0, children: [] };
  const stack: Building[] = [root];
  let words: string[] = [];
  let wordsStart = -1;
  let last: { words: string[]; start: number } | undefined;
  let word = '';
  let wordAt = -1;
  const flushWord = (): void => {
    if (word === '') return;
    if (words.length === 0) wordsStart = lineStart(text, wordAt);
    words.push(word);
    word = '';
  };
  const endStatement = (): void => {
    flushWord();
    if (words.length > 0) last = { words, start: wordsStart };
    words = [];
  };
  const open = (at: number): void => {
    flushWord();
    const head = words.length > 0 ? { words, start: wordsStart } : last ?? { words: [''], start: lineStart(text, at) };
    const w = head.words[0]?.startsWith('@') ? head.words.slice(1) : head.words;
    stack.push({ keyword: w[0] ?? '', args: w.slice(1), start: head.start, children: [] });
    words = [];
    last = undefined;
  };
  const close = (at: number): void => {
    endStatement();
    last = undefined;
    if (stack.length === 1) return;
    const b = stack.pop() as Building;
    const parent = stack[stack.length - 1] as Building;
    parent.children.push({ keyword: b.keyword, args: b.args, start: b.start, close: at, end: lineEnd(text, at), children: b.children });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '#' || c === '!') {
      flushWord();
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if (c === '"') {
      const q = text.indexOf('"', i + 1);
      const stop = q < 0 ? text.length - 1 : q;
      if (word === '') wordAt = i;
      word += text.slice(i, stop + 1);
      i = stop;
    } else if (c === '$' && text[i + 1] === '{') {
      // ${NAME}: a parameter reference, not a block.
      const r = text.indexOf('}', i);
      const stop = r < 0 ? text.length - 1 : r;
      if (word === '') wordAt = i;
      word += text.slice(i, stop + 1);
      i = stop;
    } else if (c === '{') open(i);
    else if (c === '}') close(i);
    else if (c === '\\' && text[i + 1] === '\n') {
      // A multi-line parameter definition: each line is a line of its own once substituted.
      endStatement();
      i++;
    } else if (c === '\n') endStatement();
    else if (c === ' ' || c === '\t' || c === '\r') flushWord();
    else {
      if (word === '') wordAt = i;
      word += c;
    }
  }
  while (stack.length > 1) close(text.length);
  return root.children;
}

/** Every block (depth first) whose keyword is one of `keywords`. */
export function findBlocks(blocks: readonly ConfBlock[], keywords: readonly string[]): ConfBlock[] {
  const out: ConfBlock[] = [];
  const walk = (bs: readonly ConfBlock[]): void => {
    for (const b of bs) {
      if (keywords.includes(b.keyword)) out.push(b);
      walk(b.children);
    }
  };
  walk(blocks);
  return out;
}

interface Edit { readonly from: number; readonly to: number; readonly text: string }

/** Apply non-overlapping edits; insertions at one offset end up in the order given. */
function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.from - a.e.from || b.i - a.i);
  for (const { e } of order) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

export const CHECKER_KEYWORDS: readonly string[] = [
  'HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'MISC_CHECK',
  'PING_CHECK', 'UDP_CHECK', 'BFD_CHECK', 'FILE_CHECK',
];

/**
 * Remove every health checker block. A real server without checkers is up from the
 * start and stays up in keepalived (and in halb), so the IPVS table depends on the
 * configuration alone, not on what answers on the network.
 */
export function stripCheckers(text: string): string {
  const blocks = findBlocks(parseBlocks(text), CHECKER_KEYWORDS);
  // Nested checkers do not exist; a block inside a removed one would overlap it.
  const outer = blocks.filter((b) => !blocks.some((o) => o !== b && o.start <= b.start && b.end <= o.end));
  return applyEdits(text, outer.map((b) => ({ from: b.start, to: b.end, text: '' })));
}

const isV6 = (addr: string): boolean => addr.includes(':');

/** A documentation address in the family of `like` (RFC 5737 / RFC 3849). */
function newAddress(like: string, n: number): string {
  return isV6(like) ? `2001:db8:ffff::${n}` : `203.0.113.${n}`;
}

/**
 * The reload variant of a (checker-free) config: in every virtual server, each
 * literal `weight N` becomes N+1 (a parameter becomes 5), the last of two or more
 * real servers goes, and a new real server joins; when `serviceChanges`, the last
 * virtual server of this file goes and a new NAT service with two real servers is
 * appended.
 */
export function reloadVariant(text: string, serviceChanges: boolean): string {
  const blocks = parseBlocks(text);
  const edits: Edit[] = [];
  const servers = blocks.filter((b) => b.keyword === 'virtual_server');
  // A lone virtual server stays, so its weights and real servers change instead.
  const removed = serviceChanges && servers.length >= 2 ? servers[servers.length - 1] : undefined;
  let n = 240;
  for (const vs of servers) {
    if (vs === removed) continue;
    const rss = vs.children.filter((b) => b.keyword === 'real_server');
    for (const rs of rss) {
      const body = text.slice(rs.start, rs.end);
      const m = /^([ \t]*(?:@\S+[ \t]+)?weight[ \t]+)(\S+)/m.exec(body);
      if (m !== null) {
        const old = Number(m[2]);
        const weight = Number.isInteger(old) ? (old >= 65535 ? old - 1 : old + 1) : 5;
        const at = rs.start + m.index + (m[1] as string).length;
        edits.push({ from: at, to: at + (m[2] as string).length, text: String(weight) });
      }
    }
    const literal = rss.filter((rs) => /^[0-9a-fA-F:.]+$/.test(rs.args[0] ?? ''));
    if (literal.length >= 2) {
      const gone = literal[literal.length - 1] as ConfBlock;
      edits.push({ from: gone.start, to: gone.end, text: '' });
    }
    const like = literal[0]?.args[0] ?? (vs.args[0] === 'fwmark' || vs.args[0] === 'group' ? '192.0.2.1' : vs.args[0] ?? '192.0.2.1');
    const port = literal[0]?.args[1] ?? vs.args[1] ?? '80';
    const indent = /^[ \t]*/.exec(text.slice(rss[0]?.start ?? vs.start))?.[0] ?? '    ';
    const rs = `${indent}real_server ${newAddress(like, n++)} ${/^\d+$/.test(port) ? port : '80'} {\n${indent}    weight 2\n${indent}}\n`;
    // An unclosed block (a seed lacks its last brace) runs to the end of the text.
    const at = vs.close >= text.length ? text.length : lineStart(text, vs.close);
    edits.push({ from: at, to: at, text: at === text.length && !text.endsWith('\n') ? `\n${rs}` : rs });
  }
  if (serviceChanges) {
    if (removed !== undefined) edits.push({ from: removed.start, to: removed.end, text: '' });
    // Close what the text leaves open (keepalived closes it at the end of the file), so
    // the new service is not read as part of the last one.
    const unclosed = servers.filter((b) => b !== removed && b.close >= text.length).length;
    edits.push({
      from: text.length, to: text.length,
      text: [
        ...(unclosed > 0 ? ['', '}'.repeat(unclosed)] : []), '', '! Added by the oracle test\'s reload step.',
        'virtual_server 203.0.113.200 8080 {', '    lb_algo wrr', '    lb_kind NAT', '    protocol TCP',
        '    real_server 198.51.100.201 8080 {', '        weight 2', '    }',
        '    real_server 198.51.100.202 8080 {', '        weight 1', '    }', '}', '',
      ].join('\n'),
    });
  }
  return applyEdits(text, edits);
}
