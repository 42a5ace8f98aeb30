// Path expansion for `include`: csh brace expansion, then glob(3) wildcards (* ? [...])
// per path segment, results sorted as glob(3) sorts them.
import { posix } from 'node:path';
import type { ConfigFs } from './source.js';

/** csh-style brace expansion: `a{b,c{d,e}}f` -> abf acdf acef. Unbalanced braces are literal. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const inner = pattern.slice(open + 1, i);
        const alts: string[] = [];
        let d = 0;
        let start = 0;
        for (let j = 0; j < inner.length; j++) {
          if (inner[j] === '{') d++;
          else if (inner[j] === '}') d--;
          else if (inner[j] === ',' && d === 0) { alts.push(inner.slice(start, j)); start = j + 1; }
        }
        alts.push(inner.slice(start));
        if (alts.length < 2) continue; // `{x}` is literal in csh
        const head = pattern.slice(0, open);
        const tails = expandBraces(pattern.slice(i + 1));
        return alts.flatMap((a) => expandBraces(head + a).flatMap((h) => tails.map((t) => h + t)));
      }
    }
  }
  return [pattern];
}

export function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

function segmentRegex(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close === -1) { re += '\\['; continue; }
      let body = seg.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

/** Expand one absolute pattern (no braces) against the file system. Hidden files need an explicit dot. */
export function globPath(pattern: string, fs: ConfigFs): string[] {
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let current = [parts[0] === '' ? '/' : '.'];
  for (const seg of parts.slice(parts[0] === '' ? 1 : 0)) {
    const next: string[] = [];
    for (const base of current) {
      if (!hasWildcard(seg)) {
        const p = posix.join(base, seg);
        if (fs.exists(p)) next.push(p);
        continue;
      }
      let names: string[];
      try { names = fs.readdir(base); } catch { continue; }
      const re = segmentRegex(seg);
      for (const name of names.sort()) {
        if (name.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(name)) next.push(posix.join(base, name));
      }
    }
    current = next;
  }
  return current.sort();
}
