// What the drills' client scripts (load-client, long-lived-client, hold-client) share:
// their `--name value` arguments and their one-JSON-record-a-line stdout, which the
// drill reads through client-process.ts. A client whose reader went away exits quietly.

/** The value after `--name` on the command line, or `dflt`. */
export function arg(name: string, dflt: number | string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? String(dflt) : String(dflt);
}

/** Write one record as a JSON line; exit when nobody reads any more. */
export function emit(rec: object): void {
  try {
    process.stdout.write(`${JSON.stringify(rec)}\n`);
  } catch {
    process.exit(0);
  }
}
process.stdout.on('error', () => process.exit(0));
