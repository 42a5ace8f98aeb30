// The dashboard's browser script, served as /dashboard.js. Plain modern JavaScript in a
// string (String.raw keeps its escapes as written): no bundler, no external asset. It
// follows GET /api/v1/events with fetch (not EventSource, so a bearer token can ride in
// a header), renders pools, health and a traffic chart per real server from each status
// frame, and draws the VRRP state timeline from the transition events.
// It must contain no backtick and no dollar-brace; a unit test compiles it. The timeline's
// segments (src/api/dashboard-timeline.ts, unit-tested there) and the number formats
// (dashboard-format.ts) are embedded as source.
import { timelineSegments } from './dashboard-timeline.js';
import { fmtCount, fmtDuration, fmtRate, fmtTime } from './dashboard-format.js';

export const DASHBOARD_JS = String.raw`
'use strict';
` + [timelineSegments, fmtRate, fmtCount, fmtTime, fmtDuration].map((f) => f.toString()).join('\n') + String.raw`
(() => {
  const TOKEN_KEY = 'halb-token';
  const WINDOW_MS = 10 * 60 * 1000;
  const MAX_SAMPLES = 60;
  // The chart spans at least this many frames, so a new page does not stretch two samples across it.
  const MIN_SPAN = 20;
  const MAX_EVENTS = 200;
  const SVGNS = 'http://www.w3.org/2000/svg';
  const st = { status: null, events: [], transitions: [], samples: new Map(), last: new Map(), retry: null };

  const byId = (id) => document.getElementById(id);

  function build(el, attrs, children) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) build(el, null, c);
      else el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }
  const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
  const svg = (tag, attrs, ...children) => build(document.createElementNS(SVGNS, tag), attrs, children);

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
  }
  function headers(extra) {
    const hd = Object.assign({}, extra || {});
    const t = token();
    if (t) hd.authorization = 'Bearer ' + t;
    return hd;
  }

  function setConn(state, text) {
    const el = byId('conn');
    el.dataset.state = state;
    el.textContent = text || state;
  }

  // ---- the event stream: fetch + a reader, so the bearer token can ride in a header ----
  function scheduleRetry() {
    if (st.retry !== null) return;
    setConn('disconnected');
    st.retry = setTimeout(() => { st.retry = null; connect(); }, 1000);
  }

  function onFrame(frame) {
    let event = 'message';
    let data = '';
    for (const line of frame.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data === '') return;
    let v;
    try { v = JSON.parse(data); } catch (e) { return; }
    if (event === 'hello') onHello(v);
    else if (event === 'status') onStatus(v);
    else if (event === 'admin') onAdmin(v);
  }

  async function connect() {
    setConn('connecting');
    let res;
    try {
      res = await fetch('/api/v1/events', { headers: headers({ accept: 'text/event-stream' }), cache: 'no-store' });
    } catch (e) {
      scheduleRetry();
      return;
    }
    if (res.status === 401) {
      setConn('locked', 'token needed');
      byId('login').hidden = false;
      return;
    }
    if (!res.ok || !res.body) {
      scheduleRetry();
      return;
    }
    byId('login').hidden = true;
    setConn('live');
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        buf += dec.decode(r.value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          onFrame(frame);
        }
      }
    } catch (e) {
      // connection lost: reconnect below
    }
    scheduleRetry();
  }

  function onHello(v) {
    st.events = Array.isArray(v.events) ? v.events.slice(-MAX_EVENTS) : [];
    st.transitions = st.events.filter((e) => e.kind === 'vrrp-transition');
    renderEvents();
  }

  function onAdmin(ev) {
    st.events.push(ev);
    if (st.events.length > MAX_EVENTS) st.events.shift();
    if (ev.kind === 'vrrp-transition') st.transitions.push(ev);
    renderEvents();
  }

  function onStatus(s) {
    for (const svc of s.services) {
      for (const rs of svc.realServers) {
        const key = svc.key + '|' + rs.key;
        const total = rs.stats.inBytes + rs.stats.outBytes;
        const prev = st.last.get(key);
        if (prev !== undefined && s.takenAt > prev.at) {
          const rate = Math.max(0, (total - prev.total) / ((s.takenAt - prev.at) / 1000));
          const arr = st.samples.get(key) || [];
          arr.push({ at: s.takenAt, rate: rate });
          while (arr.length > MAX_SAMPLES) arr.shift();
          st.samples.set(key, arr);
        }
        st.last.set(key, { at: s.takenAt, total: total });
      }
    }
    st.status = s;
    render();
  }

  // ---- commands ----
  // Without an admin token the API refuses writes; the buttons say why instead of failing.
  let writes = { writes: false, reason: 'checking whether this API accepts commands…' };
  async function loadAccess() {
    try {
      const res = await fetch('/api/v1/access', { headers: headers(), cache: 'no-store' });
      if (res.ok) writes = await res.json();
    } catch (e) { /* keep the buttons disabled */ }
    render();
  }
  function cmdButton(text, path) {
    return writes.writes
      ? h('button', { type: 'button', text: text, onclick: () => command(path) })
      : h('button', { type: 'button', text: text, disabled: 'disabled', title: writes.reason, class: 'locked' });
  }
  async function command(path, body) {
    try {
      const res = await fetch(path, {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json' }),
        body: JSON.stringify(body || {}),
      });
      if (!res.ok) {
        const j = await res.json().catch(() => ({}));
        window.alert((j.error && j.error.message) || ('HTTP ' + res.status));
      }
    } catch (e) {
      window.alert(String(e));
    }
  }
  const rsPath = (svc, rs, what) => '/api/v1/services/' + encodeURIComponent(svc) + '/real-servers/' + encodeURIComponent(rs) + '/' + what;

  // ---- rendering ----
  function render() {
    const s = st.status;
    if (s === null) return;
    const d = s.daemon;
    byId('daemon').textContent = 'pid ' + d.pid + ' · ' + d.configFile + ' · up ' + fmtDuration(s.takenAt - d.startedAt) +
      ' · ' + d.reloads + ' reload(s) · event loop p99 ' + s.eventLoopLagMs.p99 + ' ms';
    renderInstances(s);
    renderTimeline(s);
    renderBgp(s);
    renderServices(s);
  }

  // ---- BGP (halb_bgp, docs/bgp.md): the daemon, sessions, announced VIPs ----
  function renderBgp(s) {
    const b = s.daemon.bgp;
    const sec = byId('bgp');
    sec.hidden = !b;
    if (!b) return;
    const d = b.daemon;
    const daemon = h('p', null, h('span', { class: 'badge ' + (d.state === 'running' ? 'up' : 'down'), text: d.state }),
      h('span', { text: ' BIRD' + (d.pid ? ' pid ' + d.pid : '') + ' · AS ' + b.localAs + ' · router id ' + b.routerId + (d.restarts ? ' · ' + d.restarts + ' restart(s)' : '') }),
      d.error ? h('div', { class: 'muted', text: d.error }) : null,
      b.pushError ? h('div', { class: 'muted', text: 'push: ' + b.pushError }) : null);
    const sessions = h('table', { class: 'bgp-sessions' },
      h('thead', null, h('tr', null, ['Neighbor', 'AS', 'Session'].map((t) => h('th', { text: t })))),
      h('tbody', null, b.sessions.map((x) => h('tr', { 'data-neighbor': x.neighbor },
        h('td', { text: x.neighbor }), h('td', { class: 'num', text: String(x.remoteAs) }),
        h('td', null, h('span', { class: 'badge ' + (x.bgpState.indexOf('Established') === 0 ? 'up' : 'down'), text: x.bgpState || x.state }))))));
    const prefixes = h('table', { class: 'bgp-prefixes' },
      h('thead', null, h('tr', null, ['VIP', 'Announced', 'Why'].map((t) => h('th', { text: t })))),
      h('tbody', null, b.prefixes.map((p) => h('tr', { 'data-prefix': p.prefix },
        h('td', { text: p.prefix }), h('td', null, h('span', { class: 'badge ' + (p.announced ? 'up' : 'down'), text: p.announced ? 'announced' : 'withdrawn' })),
        h('td', { text: p.reason })))));
    byId('bgp-body').replaceChildren(daemon, sessions, h('h3', { text: 'Prefixes' }), prefixes);
  }

  function renderInstances(s) {
    const box = byId('instances');
    if (s.vrrp === null || s.vrrp.instances.length === 0) {
      box.replaceChildren(h('p', { class: 'empty', text: 'no VRRP instance in this daemon' }));
      return;
    }
    const rows = s.vrrp.instances.map((i) => {
      const lt = i.lastTransition;
      const contrib = i.contributors.filter((c) => c.delta !== 0 || c.fault)
        .map((c) => c.name + (c.fault ? ' (fault)' : ' ' + (c.delta > 0 ? '+' : '') + c.delta)).join(', ');
      return h('tr', { class: 'instance', 'data-instance': i.name, 'data-state': i.state },
        h('td', null, h('span', { class: 'badge ' + i.state, text: i.state })),
        h('td', null, h('strong', { text: i.name }), h('div', { class: 'muted', text: 'VRID ' + i.vrid + ' on ' + i.interface + ' · v' + i.version })),
        h('td', { class: 'num', text: i.effectivePriority + (i.effectivePriority !== i.basePriority ? ' (base ' + i.basePriority + ')' : '') }),
        h('td', { text: contrib || '—' }),
        h('td', { text: i.state === 'BACKUP' && i.masterAddr ? i.masterAddr + ' (prio ' + i.masterPriority + ')' : (i.state === 'MASTER' ? 'this node' : '—') }),
        h('td', { text: i.vips.join(', ') }),
        h('td', { class: 'num', text: fmtCount(i.counters.advertsSent) + ' / ' + fmtCount(i.counters.advertsReceived) }),
        h('td', null, lt ? [h('div', { text: lt.from + ' → ' + lt.to + (lt.at ? ' at ' + fmtTime(lt.at) : '') }), h('div', { class: 'muted', text: lt.reason })] : '—'),
        h('td', null, i.state === 'MASTER' ? cmdButton('Release', '/api/v1/vrrp/instances/' + encodeURIComponent(i.name) + '/release') : null));
    });
    box.replaceChildren(h('table', null,
      h('thead', null, h('tr', null, ['State', 'Instance', 'Priority', 'Trackers', 'Master', 'VIPs', 'Adverts sent / rcvd', 'Last transition', ''].map((t) => h('th', { text: t })))),
      h('tbody', null, rows)));
  }

  const STATE_COLOR = { MASTER: '#1b8a3a', BACKUP: '#1f5fbf', FAULT: '#c62828', INIT: '#888888', STOP: '#444444' };

  function renderTimeline(s) {
    const box = byId('timeline');
    if (s.vrrp === null || s.vrrp.instances.length === 0) {
      box.replaceChildren();
      return;
    }
    const now = s.takenAt;
    const start = now - WINDOW_MS;
    const L = 130;
    const W = 1000;
    const lane = 26;
    const height = s.vrrp.instances.length * lane + 22;
    const x = (t) => L + ((Math.max(t, start) - start) / WINDOW_MS) * (W - L - 10);
    const g = svg('svg', { viewBox: '0 0 ' + W + ' ' + height, role: 'img', 'aria-label': 'VRRP state timeline' });
    s.vrrp.instances.forEach((inst, n) => {
      const y = n * lane + 4;
      let pts = st.transitions.filter((t) => t.instance === inst.name).sort((a, b) => a.at - b.at);
      if (pts.length === 0 && inst.lastTransition && inst.lastTransition.at) {
        pts = [{ at: inst.lastTransition.at, from: inst.lastTransition.from, to: inst.state, reason: inst.lastTransition.reason }];
      }
      g.appendChild(svg('text', { x: 4, y: y + 15, text: inst.name }));
      const segs = timelineSegments(pts, inst.state, start, s.daemon.startedAt, now);
      for (const seg of segs) {
        const x0 = x(seg.from);
        const x1 = Math.max(x0 + 1, x(seg.to));
        const r = svg('rect', { x: x0, y: y, width: x1 - x0, height: lane - 8, fill: STATE_COLOR[seg.state] || '#888', 'data-state': seg.state });
        r.appendChild(svg('title', { text: seg.state + ' from ' + fmtTime(seg.from) + (seg.next ? ' — then: ' + seg.next : '') }));
        g.appendChild(r);
      }
    });
    for (let m = 0; m <= 10; m += 2) {
      const t = start + m * 60000;
      g.appendChild(svg('text', { x: x(t) - 8, y: height - 4, text: m === 10 ? 'now' : '-' + (10 - m) + 'm' }));
    }
    box.replaceChildren(g);
  }

  function trafficChart(key) {
    const W = 180;
    const H = 36;
    const samples = st.samples.get(key) || [];
    const g = svg('svg', { class: 'traffic', width: W, height: H + 12, viewBox: '0 0 ' + W + ' ' + (H + 12), 'data-samples': samples.length });
    const max = Math.max(1, ...samples.map((p) => p.rate));
    if (samples.length > 1) {
      const step = W / (Math.max(samples.length, MIN_SPAN) - 1);
      const off = W - (samples.length - 1) * step;
      const pts = samples.map((p, i) => (off + i * step).toFixed(1) + ',' + (H - (p.rate / max) * (H - 2)).toFixed(1));
      g.appendChild(svg('polygon', { points: off.toFixed(1) + ',' + H + ' ' + pts.join(' ') + ' ' + W + ',' + H }));
      g.appendChild(svg('polyline', { points: pts.join(' ') }));
    }
    const now = samples.length > 0 ? samples[samples.length - 1].rate : 0;
    g.appendChild(svg('text', { x: 0, y: H + 10, text: fmtRate(now) + ' · peak ' + fmtRate(max === 1 && now === 0 ? 0 : max) }));
    return g;
  }

  function checkerCell(rs) {
    if (rs.checkers.length === 0) return h('span', { class: 'muted', text: 'no checker' });
    return rs.checkers.map((c) => {
      const last = c.last;
      const text = (c.up ? '✓ ' : '✗ ') + c.kind + (last ? ' ' + Math.round(last.latencyMs) + ' ms' : '');
      return h('span', { class: 'chk ' + (c.up ? 'ok' : 'fail'), title: last ? last.detail : 'not run yet', text: text });
    });
  }

  function renderServices(s) {
    const box = byId('services');
    if (s.services.length === 0) {
      box.replaceChildren(h('p', { class: 'empty', text: 'no virtual server' }));
      return;
    }
    box.replaceChildren(...s.services.map((svc) => {
      const rows = svc.realServers.map((rs) => {
        const key = svc.key + '|' + rs.key;
        const ov = rs.override;
        return h('tr', { class: 'rs', 'data-service': svc.key, 'data-rs': rs.key, 'data-state': rs.state },
          h('td', null, h('span', { class: 'badge ' + rs.state, text: rs.state })),
          h('td', null, h('strong', { text: rs.key }), rs.sorry ? h('span', { class: 'muted', text: ' sorry server' }) : null),
          h('td', { class: 'num', text: String(rs.weight) + (ov ? ' (set by ' + ov.by + ')' : '') }),
          h('td', null, checkerCell(rs)),
          h('td', { class: 'num', text: rs.activeConns + ' / ' + rs.inactiveConns }),
          h('td', { class: 'num', text: fmtCount(rs.stats.conns) }),
          h('td', null, trafficChart(key)),
          h('td', null,
            rs.state !== 'drained' ? cmdButton('Drain', rsPath(svc.key, rs.key, 'drain')) : null,
            ov ? cmdButton('Enable', rsPath(svc.key, rs.key, 'enable')) : null));
      });
      const up = svc.realServers.filter((r) => r.state === 'up').length;
      return h('article', { class: 'service', 'data-service': svc.key },
        h('div', { class: 'title' },
          h('strong', { text: svc.key }),
          h('span', { class: 'badge ' + svc.listener, text: svc.listener }),
          h('span', { class: 'muted', text: svc.scheduler + ' · ' + up + '/' + svc.realServers.length + ' up' + (svc.quorumUp ? '' : ' · quorum lost') +
            (svc.sorryActive ? ' · sorry server' : '') + ' · ' + svc.stats.cps + ' conn/s · ' + fmtRate(svc.stats.inBps + svc.stats.outBps) }),
          svc.listenError ? h('span', { class: 'muted', text: svc.listenError }) : null),
        h('table', null,
          h('thead', null, h('tr', null, ['State', 'Real server', 'Weight', 'Checkers', 'Active / inactive', 'Connections', 'Traffic', ''].map((t) => h('th', { text: t })))),
          h('tbody', null, rows)));
    }));
  }

  function describe(ev) {
    switch (ev.kind) {
      case 'vrrp-transition': return '(' + ev.instance + ') ' + ev.from + ' → ' + ev.to + ' (priority ' + ev.priority + '): ' + ev.reason;
      case 'real-server': return ev.realServer + ' of ' + ev.virtualServer + (ev.alive ? ' UP' : ' DOWN') + ': ' + ev.reason;
      case 'reload': return 'reload ' + (ev.applied ? 'applied' : 'refused') + ': ' + ev.summary;
      case 'override': return ev.cleared
        ? ev.override.realServer + ' of ' + ev.override.service + ' enabled by ' + ev.override.by
        : ev.override.realServer + ' of ' + ev.override.service + (ev.override.drained ? ' drained' : ' weight ' + ev.override.weight) + ' by ' + ev.override.by;
      default: return JSON.stringify(ev);
    }
  }

  function renderEvents() {
    const items = st.events.slice().reverse().map((ev) => h('li', { class: 'ev ' + ev.kind },
      h('time', { text: fmtTime(ev.at) }), describe(ev)));
    byId('event-log').replaceChildren(...items);
  }

  byId('login').addEventListener('submit', (e) => {
    e.preventDefault();
    try { sessionStorage.setItem(TOKEN_KEY, byId('token-input').value.trim()); } catch (err) { /* private mode */ }
    connect();
    loadAccess();
  });
  connect();
  loadAccess();
})();
`;
