// Configuration diagnostics, collected rather than thrown, so one `halb -t` run shows
// every problem. Severities follow keepalived's config_err_t in spirit:
//   fatal   - halb cannot run this config at all (missing file, unreadable include);
//             `halb -t` exits 4, as keepalived does.
//   error   - keepalived itself reports this (it makes `keepalived -t` exit 5): the
//             value is ignored or defaulted and the daemon would still run.
//   warning - advice keepalived does not give (nopreempt with state MASTER, a
//             tracker weight that can never move the VIP, ...); exit status 0.

export type Severity = 'fatal' | 'error' | 'warning';

/** Where a token came from, counted through includes and $VAR expansion. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
}

export interface ConfigDiagnostic {
  readonly severity: Severity;
  /** Absent for whole-config findings keepalived reports without a line (e.g. unbalanced braces at EOF). */
  readonly file?: string;
  readonly line?: number;
  readonly keyword?: string;
  readonly message: string;
  /** keepalived's CONFIG_SECURITY_ERROR: scripts run without enable_script_security (`-t` exits 6). */
  readonly security?: true;
}

const rank: Record<Severity, number> = { warning: 0, error: 1, fatal: 2 };

export class Diagnostics {
  readonly #items: ConfigDiagnostic[] = [];

  add(severity: Severity, pos: SourcePos | undefined, message: string, keyword?: string): void {
    const d: ConfigDiagnostic = pos === undefined
      ? { severity, message, ...(keyword !== undefined ? { keyword } : {}) }
      : { severity, file: pos.file, line: pos.line, message, ...(keyword !== undefined ? { keyword } : {}) };
    this.#items.push(d);
  }
  error(pos: SourcePos | undefined, message: string, keyword?: string): void {
    this.add('error', pos, message, keyword);
  }
  warn(pos: SourcePos | undefined, message: string, keyword?: string): void {
    this.add('warning', pos, message, keyword);
  }
  fatal(pos: SourcePos | undefined, message: string, keyword?: string): void {
    this.add('fatal', pos, message, keyword);
  }
  /** An error keepalived ranks above all others (CONFIG_SECURITY_ERROR). */
  security(pos: SourcePos | undefined, message: string): void {
    this.add('error', pos, message);
    const last = this.#items.pop() as ConfigDiagnostic;
    this.#items.push({ ...last, security: true });
  }
  get items(): readonly ConfigDiagnostic[] {
    return this.#items;
  }
  worst(): Severity | undefined {
    let w: Severity | undefined;
    for (const d of this.#items) if (w === undefined || rank[d.severity] > rank[w]) w = d.severity;
    return w;
  }
  hasErrors(): boolean {
    const w = this.worst();
    return w === 'error' || w === 'fatal';
  }
}

/** keepalived's "(file: Line n) message" prefix, with our severity in front. */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  return `${d.severity}: ${diagnosticText(d)}`;
}

/** `(file: Line N) message` without the severity, for log lines whose level already says it. */
export function diagnosticText(d: ConfigDiagnostic): string {
  const where = d.file !== undefined && d.line !== undefined ? `(${d.file}: Line ${d.line}) ` : '';
  return `${where}${d.message}`;
}
