// The dashboard in a real browser (Debian's chromium, driven by playwright-core): it
// loads from the daemon with no other asset, lists the pool with its health, draws a
// traffic chart per real server from live status frames, and shows a real server
// DOWN within 2 s of the daemon's event when its backend is killed (TCP_CHECK,
// delay_loop 1). HALB_UPDATE_SCREENSHOT=1 also saves the screenshot as docs/dashboard.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { httpGet, startBackend } from '../../helpers/daemon-process.js';
import { repoRoot } from '../../helpers/vrrp-nodes.js';
import { freePort, poolConf, startHalb, until } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

/** Follow the daemon's event stream; returns the arrival times of real-server events. */
function followEvents(port: number): { downAt: Map<string, number>; close: () => void } {
  const downAt = new Map<string, number>();
  let res: IncomingMessage | undefined;
  const req = get({ host: '127.0.0.1', port, path: '/api/v1/events', agent: false }, (r) => {
    res = r;
    let buf = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => {
      buf += c;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (!frame.includes('event: admin')) continue;
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        const ev = JSON.parse(data ?? '{}') as { kind?: string; realServer?: string; alive?: boolean };
        if (ev.kind === 'real-server' && ev.alive === false && ev.realServer !== undefined && !downAt.has(ev.realServer)) {
          downAt.set(ev.realServer, performance.now());
        }
      }
    });
  });
  req.on('error', () => undefined);
  return { downAt, close: () => { res?.destroy(); req.destroy(); } };
}

test('the dashboard shows pools, traffic and a real server going down within 2 s of the event', async (t) => {
  if (!existsSync(CHROMIUM)) {
    assert.ok(process.env.CI === undefined, `${CHROMIUM} is missing: scripts/install-deps.sh installs Debian's chromium`);
    t.skip(`${CHROMIUM} is not installed (scripts/install-deps.sh installs it)`);
    return;
  }
  const a = await startBackend('A');
  const b = await startBackend('B');
  const vport = await freePort();
  const halb = await startHalb({ conf: poolConf(vport, [a.port, b.port]) });
  const profile = mkdtempSync(join(tmpdir(), 'halb-chromium-'));
  const events = followEvents(halb.adminPort);
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 860 } });
  try {
    const page = await ctx.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${halb.adminPort}/`);
    const rs = (port: number, state: string): string => `tr.rs[data-rs="127.0.0.1:${port}"][data-state="${state}"]`;
    await page.waitForSelector(rs(a.port, 'up'), { timeout: 5000 });
    await page.waitForSelector(rs(b.port, 'up'), { timeout: 5000 });
    assert.equal(await page.textContent('#conn'), 'live');

    // Traffic for the charts: a varying number of requests per status frame.
    for (const n of [4, 9, 14, 8, 16, 6]) {
      for (let i = 0; i < n; i++) await httpGet('127.0.0.1', vport);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const samples = await page.getAttribute(`tr.rs[data-rs="127.0.0.1:${a.port}"] svg.traffic`, 'data-samples');
    assert.ok(Number(samples) >= 3, `the chart has samples (${samples})`);
    assert.ok(await page.$(`tr.rs[data-rs="127.0.0.1:${a.port}"] svg.traffic polyline`), 'a traffic line is drawn');

    // Kill B: the checker fails at its next run; the page must follow the event within 2 s.
    await new Promise<void>((r) => { b.server.close(() => r()); b.server.closeAllConnections(); });
    const label = `[127.0.0.1]:tcp:${b.port}`;
    const eventAt = await until(() => events.downAt.get(label), 5000, 5);
    await page.waitForSelector(rs(b.port, 'down'), { timeout: 5000 });
    const seenAt = performance.now();
    const lag = seenAt - eventAt;
    console.log(`dashboard showed ${label} down ${lag.toFixed(0)} ms after the daemon's event`);
    assert.ok(lag <= 2000, `shown ${lag.toFixed(0)} ms after the event`);
    assert.ok(await page.$(rs(a.port, 'up')), 'A stays up');
    assert.match(await page.textContent('#event-log') ?? '', new RegExp(`\\[127\\.0\\.0\\.1\\]:tcp:${b.port} of .* DOWN`));
    const shot = join(profile, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.length > 10_000, `a real picture (${png.length} bytes)`);
    if (process.env.HALB_UPDATE_SCREENSHOT === '1') copyFileSync(shot, join(repoRoot(), 'docs', 'dashboard.png'));
    assert.deepEqual(failed, [], 'no request failed, no script error, nothing fetched from elsewhere');
  } finally {
    events.close();
    await ctx.close();
    await halb.stop();
    a.server.close();
    b.server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
