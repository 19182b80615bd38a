import { escapeHtml, jsonForScript } from './escape.js';
import type { ServicesView } from './services-view.js';

/** What the page's script starts from, embedded in the page as JSON. */
export interface PageBoot {
  readonly basePath: string;
  readonly refreshSeconds: number;
  readonly services: ServicesView;
}

// The page is written by hand, without a framework or any external asset: it is one small view
// over two JSON endpoints, it must work offline and behind a strict CSP, and a bundler would add
// a build step for about 200 lines. The script builds every element with textContent (never
// innerHTML), so user-controlled text (metadata, service names, errors) is never parsed as HTML.

const STYLE = `
:root { color-scheme: light dark; --fg:#1d232a; --muted:#5d6874; --line:#d9dee3; --bg:#fff; --panel:#f5f7f9;
  --ok:#1f8a4c; --bad:#c62f2f; --warn:#b7791f; --bar:#3a78c2; }
@media (prefers-color-scheme: dark) { :root { --fg:#e3e8ee; --muted:#98a3ae; --line:#36404a; --bg:#15191d; --panel:#1d2329; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: baseline; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 18px; margin: 0; }
main { padding: 8px 20px 24px; }
.muted { color: var(--muted); }
.status-error { color: var(--bad); font-weight: 600; }
section.service { margin: 16px 0 22px; }
.service-head { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; }
.service-head h2 { font-size: 16px; margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.figure { white-space: nowrap; }
.figure b { font-variant-numeric: tabular-nums; }
.charts { display: flex; gap: 18px; flex-wrap: wrap; margin: 6px 0; }
.chart { display: flex; gap: 6px; align-items: center; font-size: 12px; }
.chart svg { background: var(--panel); border: 1px solid var(--line); border-radius: 3px; }
.chart polyline { fill: none; stroke: var(--bar); stroke-width: 1.5; stroke-linejoin: round; }
.chart.errors polyline { stroke: var(--bad); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num { text-align: right; white-space: nowrap; }
.state { font-weight: 600; font-size: 12px; padding: 1px 6px; border-radius: 8px; white-space: nowrap; }
.state-up { color: var(--ok); border: 1px solid var(--ok); }
.state-ejected { color: #fff; background: var(--bad); }
.state-unhealthy, .state-gone { color: var(--warn); border: 1px solid var(--warn); }
tr.ejected td { background: color-mix(in srgb, var(--bad) 9%, transparent); }
.share { display: inline-block; width: 60px; height: 8px; background: var(--panel); border: 1px solid var(--line); margin-left: 6px; vertical-align: middle; }
.share i { display: block; height: 100%; background: var(--bar); }
.meta { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.meta span { display: inline-block; background: var(--panel); border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; margin: 0 3px 2px 0; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 10px; overflow: auto; font-size: 12px; }
.empty { padding: 16px 0; }
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var boot = JSON.parse(document.getElementById('sc-boot').textContent);
  var base = boot.basePath;
  var HISTORY = 60;
  var history = {};
  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function ms(value) {
    if (value === null || value === undefined) return '-';
    return (value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : String(Math.round(value))) + ' ms';
  }
  function percent(rate) { return (rate > 0 && rate < 0.1 ? (rate * 100).toFixed(1) : String(Math.round(rate * 100))) + '%'; }
  function ago(iso) {
    var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    return s < 1 ? 'just now' : s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
  }
  function inSeconds(iso) { return Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000)) + ' s'; }
  function stateOf(i) {
    if (i.ejection.ejected) return 'ejected';
    if (!i.listed) return 'gone';
    if (!i.healthy) return 'unhealthy';
    return 'up';
  }

  // One point per refresh and service: the last minute's mean latency and error rate over its instances.
  function record(view) {
    for (var s = 0; s < view.services.length; s++) {
      var service = view.services[s];
      var attempts = 0, failures = 0, weighted = 0, timed = 0;
      for (var i = 0; i < service.instances.length; i++) {
        var r = service.instances[i].recent;
        attempts += r.attempts; failures += r.failures;
        if (r.meanLatencyMs !== null) { weighted += r.meanLatencyMs * r.attempts; timed += r.attempts; }
      }
      var points = history[service.name] || (history[service.name] = []);
      points.push({ latency: timed > 0 ? weighted / timed : null, errors: attempts > 0 ? failures / attempts : 0 });
      if (points.length > HISTORY) points.shift();
    }
  }

  function sparkline(kind, label, values, max, text) {
    var box = el('span', 'chart ' + kind);
    box.setAttribute('data-chart', kind);
    add(box, el('span', 'muted', label));
    var width = 120, height = 26;
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('width', String(width)); svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', label + ' over the last refreshes');
    var coords = [];
    for (var i = 0; i < values.length; i++) {
      if (values[i] === null) continue;
      // The newest point at the right edge; older ones to its left, one step per refresh.
      var x = width - 2 - (values.length - 1 - i) * ((width - 4) / (HISTORY - 1));
      var y = height - 2 - (max > 0 ? (values[i] / max) * (height - 4) : 0);
      coords.push(x.toFixed(1) + ',' + y.toFixed(1));
    }
    var line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', coords.join(' '));
    svg.appendChild(line);
    add(box, svg);
    add(box, el('b', '', text));
    return box;
  }

  function figure(label, value) {
    var span = el('span', 'figure muted', label + ' ');
    add(span, el('b', '', value));
    return span;
  }

  function renderService(service) {
    var section = el('section', 'service');
    section.setAttribute('data-service', service.name);
    var head = add(section, el('div', 'service-head'));
    add(head, el('h2', '', service.name));
    var ejected = 0, unhealthy = 0, attempts = 0;
    for (var i = 0; i < service.instances.length; i++) {
      var inst = service.instances[i];
      if (inst.ejection.ejected) ejected++;
      if (!inst.healthy) unhealthy++;
      attempts += inst.recent.attempts;
    }
    var count = add(head, figure('instances', String(service.instances.length)));
    count.setAttribute('data-figure', 'instances');
    add(head, figure('ejected', String(ejected))).setAttribute('data-figure', 'ejected');
    add(head, figure('unhealthy', String(unhealthy)));
    add(head, figure('calls', String(service.calls)));
    add(head, figure('retries', String(service.retries)));
    if (service.retriesRefused > 0) add(head, figure('retries refused', String(service.retriesRefused)));
    if (!service.called) add(head, el('span', 'muted', 'not called yet: instances as discovery lists them'));
    if (service.error) add(head, el('span', 'status-error', service.error));

    var points = history[service.name] || [];
    var latencies = [], errors = [], maxLatency = 0;
    for (var p = 0; p < points.length; p++) {
      latencies.push(points[p].latency); errors.push(points[p].errors);
      if (points[p].latency !== null && points[p].latency > maxLatency) maxLatency = points[p].latency;
    }
    var last = points[points.length - 1] || { latency: null, errors: 0 };
    var charts = add(section, el('div', 'charts'));
    add(charts, sparkline('latency', 'mean latency (1 min)', latencies, maxLatency, ms(last.latency)));
    var maxErrors = 0.01;
    for (var e = 0; e < errors.length; e++) if (errors[e] > maxErrors) maxErrors = errors[e];
    add(charts, sparkline('errors', 'error rate (1 min)', errors, maxErrors, percent(last.errors)));

    if (service.instances.length === 0) {
      add(section, el('p', 'muted empty', 'no instances'));
      return section;
    }
    var table = add(section, el('table'));
    var headRow = add(add(table, el('thead')), el('tr'));
    var columns = ['state', 'instance', 'weight', 'in flight', 'attempts (1 min)', 'error rate', 'mean', 'max', 'failures in a row', 'last failure', 'metadata'];
    for (var c = 0; c < columns.length; c++) add(headRow, el('th', '', columns[c]));
    var body = add(table, el('tbody'));
    for (var j = 0; j < service.instances.length; j++) {
      var instance = service.instances[j];
      var state = stateOf(instance);
      var row = add(body, el('tr', state));
      row.setAttribute('data-instance', instance.host + ':' + instance.port);
      row.setAttribute('data-state', state);
      var stateCell = add(row, el('td'));
      var label = state === 'ejected' ? 'ejected' : state === 'gone' ? 'not listed' : state;
      add(stateCell, el('span', 'state state-' + state, label));
      if (instance.ejection.ejected && instance.ejection.until) {
        add(stateCell, el('div', 'muted', 'back in ' + inSeconds(instance.ejection.until)));
      }
      if (instance.ejection.ejections > 0) add(stateCell, el('div', 'muted', instance.ejection.ejections + 'x ejected'));
      add(row, el('td', 'meta', (instance.secure ? 'https://' : '') + instance.host + ':' + instance.port));
      add(row, el('td', 'num', instance.weight));
      add(row, el('td', 'num', instance.inFlight));
      var share = add(row, el('td', 'num', instance.recent.attempts));
      var bar = add(share, el('span', 'share'));
      bar.title = 'share of the service\'s attempts in the last minute';
      add(bar, el('i')).style.width = (attempts > 0 ? (100 * instance.recent.attempts) / attempts : 0).toFixed(1) + '%';
      add(row, el('td', 'num', instance.recent.attempts > 0 ? percent(instance.recent.errorRate) : '-'));
      add(row, el('td', 'num', ms(instance.recent.meanLatencyMs)));
      add(row, el('td', 'num', ms(instance.recent.maxLatencyMs)));
      add(row, el('td', 'num', instance.consecutiveFailures));
      add(row, el('td', '', instance.lastFailure ? instance.lastFailure.kind + ', ' + ago(instance.lastFailure.at) : '-'));
      var meta = add(row, el('td', 'meta'));
      var keys = Object.keys(instance.metadata);
      for (var k = 0; k < keys.length; k++) {
        var value = instance.metadata[keys[k]];
        add(meta, el('span', '', keys[k] + '=' + (typeof value === 'string' ? value : JSON.stringify(value))));
      }
    }
    return section;
  }

  function render(view) {
    var root = document.getElementById('sc-services');
    var fresh = document.createDocumentFragment();
    if (view.services.length === 0) {
      add(fresh, el('p', 'muted empty', 'No service called yet: services appear once calls go through this caller.'));
    }
    for (var s = 0; s < view.services.length; s++) add(fresh, renderService(view.services[s]));
    root.replaceChildren(fresh);
    document.getElementById('sc-taken').textContent = new Date(view.takenAt).toLocaleTimeString();
    document.getElementById('sc-inflight').textContent = String(view.inFlight);
  }

  function status(text, failed) {
    var node = document.getElementById('sc-status');
    node.textContent = text;
    node.className = failed ? 'status-error' : 'muted';
  }

  function getJson(path) {
    return fetch(base + path, { cache: 'no-store', headers: { accept: 'application/json' } }).then(function (res) {
      if (res.status === 404 && path === '/config') return undefined;
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }

  function refresh() {
    getJson('/services').then(function (view) {
      record(view); render(view); status('refreshed every ' + boot.refreshSeconds + ' s', false);
    }, function (error) {
      status('refresh failed (' + error.message + '); showing the last data', true);
    });
  }

  function loadConfig() {
    getJson('/config').then(function (config) {
      document.getElementById('sc-config').textContent =
        config === undefined ? 'No config was given to this admin page.' : JSON.stringify(config, null, 2);
    }, function (error) {
      document.getElementById('sc-config').textContent = 'could not load the config (' + error.message + ')';
    });
  }

  record(boot.services);
  render(boot.services);
  status('refreshed every ' + boot.refreshSeconds + ' s', false);
  loadConfig();
  setInterval(refresh, boot.refreshSeconds * 1000);
})();
`;

/**
 * The admin page: a self-contained HTML document (inline CSS and script, no external asset)
 * that renders `boot.services` and then fetches `<basePath>/services` every
 * `boot.refreshSeconds`. `nonce` is the CSP nonce of its style and script elements.
 */
export function renderPage(title: string, boot: PageBoot, nonce: string): string {
  const safeTitle = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${safeTitle} admin</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
<h1>${safeTitle}</h1>
<span class="muted">snapshot <b id="sc-taken">-</b></span>
<span class="muted">calls in flight <b id="sc-inflight">-</b></span>
<span id="sc-status" class="muted"></span>
</header>
<main>
<noscript><p>This page needs JavaScript; the same data is at <a href="${escapeHtml(boot.basePath)}/services">services</a> (JSON).</p></noscript>
<div id="sc-services"></div>
<details open><summary>Effective config (secrets as ***)</summary><pre id="sc-config">loading...</pre></details>
</main>
<script type="application/json" id="sc-boot">${jsonForScript(boot)}</script>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
