// The only way config/ touches the outside: an injected reader, so the parser stays
// pure and tests can feed it an in-memory tree.
import { readFileSync, readdirSync, statSync, accessSync, constants } from 'node:fs';

export interface ConfigFs {
  /** File contents as UTF-8 (throws a Node fs error when it cannot). */
  readFile(path: string): string;
  /** Entry names of a directory (throws when it cannot). */
  readdir(path: string): string[];
  isDirectory(path: string): boolean;
  exists(path: string): boolean;
  isReadable(path: string): boolean;
}

export const nodeFs: ConfigFs = {
  readFile: (p) => readFileSync(p, 'utf8'),
  readdir: (p) => readdirSync(p),
  isDirectory: (p) => {
    try { return statSync(p).isDirectory(); } catch { return false; }
  },
  exists: (p) => {
    try { statSync(p); return true; } catch { return false; }
  },
  isReadable: (p) => {
    try { accessSync(p, constants.R_OK); return true; } catch { return false; }
  },
};

/** An in-memory tree, for tests and for configs handed over as text. */
export function memoryFs(files: Record<string, string>): ConfigFs {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') || '/');
  }
  const err = (code: string, p: string): Error => Object.assign(new Error(`${code}: ${p}`), { code });
  return {
    readFile: (p) => {
      const v = files[p];
      if (v === undefined) throw err('ENOENT', p);
      return v;
    },
    readdir: (p) => {
      if (!dirs.has(p)) throw err('ENOENT', p);
      const prefix = p === '/' ? '/' : `${p}/`;
      const names = new Set<string>();
      for (const f of [...Object.keys(files), ...dirs]) {
        if (f.startsWith(prefix) && f.length > prefix.length) names.add(f.slice(prefix.length).split('/')[0] as string);
      }
      return [...names];
    },
    isDirectory: (p) => dirs.has(p),
    exists: (p) => p in files || dirs.has(p),
    isReadable: (p) => p in files,
  };
}
