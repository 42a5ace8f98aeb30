// The dashboard's page and style sheet, bundled as strings: the admin server serves
// them itself, so the dashboard needs no build step, no CDN and no internet. The
// script is in dashboard-script.ts. Served under a Content-Security-Policy that allows
// only these same-origin files.

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>halb</title>
<link rel="stylesheet" href="/dashboard.css">
</head>
<body>
<header>
  <h1>halb</h1>
  <span id="conn" data-state="connecting">connecting</span>
  <span id="daemon"></span>
</header>
<form id="login" hidden>
  <label>Admin token <input id="token-input" type="password" autocomplete="off"></label>
  <button type="submit">Connect</button>
</form>
<main>
  <section id="vrrp">
    <h2>VRRP</h2>
    <div id="instances"><p class="empty">no VRRP instance in this daemon</p></div>
    <h3>State timeline <small>(last 10 minutes)</small></h3>
    <div id="timeline"></div>
  </section>
  <section id="bgp" hidden>
    <h2>BGP <small class="muted">(halb_bgp)</small></h2>
    <div id="bgp-body"></div>
  </section>
  <section id="pools">
    <h2>Pools</h2>
    <div id="services"><p class="empty">no virtual server</p></div>
  </section>
  <section id="events">
    <h2>Events</h2>
    <ol id="event-log"></ol>
  </section>
</main>
<script src="/dashboard.js" defer></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { --up: #1b8a3a; --down: #c62828; --drained: #b26a00; --backup: #1f5fbf; --init: #888; --fault: #c62828;
  --stop: #444; --bg: #f6f7f9; --card: #fff; --line: #dde1e6; --text: #1d2329; --muted: #68737d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; gap: 16px; align-items: baseline; padding: 10px 20px; background: #1d2329; color: #fff; }
header h1 { margin: 0; font-size: 20px; letter-spacing: .5px; }
#daemon { color: #c9d1d9; font-size: 13px; }
#conn { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #555; }
#conn[data-state="live"] { background: var(--up); }
#conn[data-state="disconnected"], #conn[data-state="locked"] { background: var(--down); }
#login { margin: 12px 20px; padding: 12px; background: var(--card); border: 1px solid var(--line); }
main { padding: 8px 20px 30px; display: grid; gap: 16px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px 14px; }
h2 { font-size: 16px; margin: 6px 0 10px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
h3 small { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 1px 6px; border-radius: 4px; color: #fff;
  font-size: 12px; font-weight: 600; }
.badge.up, .badge.MASTER, .badge.listening { background: var(--up); }
.badge.down, .badge.FAULT, .badge.failed { background: var(--down); }
.badge.drained, .badge.waiting-for-address { background: var(--drained); }
.badge.BACKUP { background: var(--backup); }
.badge.INIT { background: var(--init); }
.badge.STOP { background: var(--stop); }
.service { margin-bottom: 14px; }
.service > .title { display: flex; gap: 12px; align-items: baseline; margin: 4px 0; flex-wrap: wrap; }
.service > .title strong { font-size: 15px; }
.muted { color: var(--muted); font-size: 12px; }
.chk { display: inline-block; margin-right: 6px; font-size: 12px; }
.chk.ok { color: var(--up); }
.chk.fail { color: var(--down); }
svg.traffic { display: block; }
svg.traffic polyline { fill: none; stroke: #1f5fbf; stroke-width: 1.5; }
svg.traffic polygon { fill: rgba(31, 95, 191, .15); stroke: none; }
svg.traffic text, #timeline text { font-size: 10px; fill: var(--muted); }
#timeline svg { width: 100%; height: auto; }
#event-log { margin: 0; padding-left: 20px; max-height: 260px; overflow: auto; font-size: 13px; }
#event-log li { padding: 1px 0; }
#event-log time { color: var(--muted); margin-right: 8px; font-variant-numeric: tabular-nums; }
button { font-size: 12px; padding: 1px 8px; margin-right: 4px; cursor: pointer; }
button.locked { cursor: not-allowed; opacity: 0.5; }
.empty { color: var(--muted); }
`;
