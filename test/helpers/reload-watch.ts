// Watches a VRRP reload from inside a namespace, for at most DURATION_MS:
//   node reload-watch.js vip DURATION_MS ADDR...  poll eth0's addresses every 10 ms (rtnetlink
//                                               dump); count the polls where each ADDR was missing
//   node reload-watch.js http DURATION_MS URL      GET URL back to back (1 s timeout each); count
//                                               successes and failures
//   node reload-watch.js serve PORT                answer every GET with this host's name (until killed)
// On SIGTERM, or when the time is up, prints one JSON line with the counts and exits.
import { request, createServer } from 'node:http';
import { hostname } from 'node:os';
import { RtNetlink } from '../../src/sys/netlink.js';

const [mode, arg, ...rest] = process.argv.slice(2);
const durationMs = Number(arg);
const until = Date.now() + durationMs;
let stop = false;
process.on('SIGTERM', () => { stop = true; });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function watchVips(addrs: readonly string[]): Promise<unknown> {
  const rt = new RtNetlink();
  const missing: Record<string, number> = Object.fromEntries(addrs.map((a) => [a, 0]));
  let polls = 0;
  let maxGapMs = 0;
  let last = Date.now();
  try {
    while (!stop && Date.now() < until) {
      const have = new Set((await rt.addresses()).map((a) => a.address));
      polls++;
      const now = Date.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      for (const a of addrs) if (!have.has(a)) missing[a]!++;
      await sleep(10);
    }
  } finally {
    rt.close();
  }
  return { polls, missing, maxGapMs };
}

function get(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function load(url: string): Promise<unknown> {
  let ok = 0;
  let failed = 0;
  const failedAt: number[] = [];
  while (!stop && Date.now() < until) {
    if (await get(url)) ok++;
    else {
      failed++;
      if (failedAt.length < 20) failedAt.push(Date.now());
    }
    await sleep(5);
  }
  return { ok, failed, failedAt };
}

if (mode === 'serve') {
  const name = hostname();
  createServer((_req, res) => res.end(name)).listen(Number(arg), '0.0.0.0');
} else {
  const out = mode === 'vip' ? await watchVips(rest) : await load(rest[0]!);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}
