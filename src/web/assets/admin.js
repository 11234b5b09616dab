// Mission Control (/admin): the HTTP-level overview, the last 60 minutes and the event
// list, from the admin endpoints. The admin key is asked once, only when the server
// answers 401, and kept in sessionStorage (this tab).

import { getJSON, serverConfig, explain } from './api.js';
import { byId, el, setValue, showAlert, fillRows } from './dom.js';
import { timeChart } from './charts.js';
import * as fmt from './format.js';

const KEY = 'spacewatch.admin-key';
const STATUS = {
  healthy: { emoji: '🟢', word: 'Healthy', note: '5xx rate under 5 %' },
  degraded: { emoji: '🟡', word: 'Degraded', note: '5xx rate 5–10 %' },
  unhealthy: { emoji: '🔴', word: 'Unhealthy', note: '5xx rate over 10 %' },
};
const SEVERITY = { critical: '🔴', warning: '🟡', info: '🟢' };

let inFlight = null;
let waitingForKey = false;
let lastGood = null;

function headers() {
  const k = sessionStorage.getItem(KEY);
  return k ? { 'X-API-Key': k } : {};
}

function showKeyLabel() {
  byId('key-label').textContent = sessionStorage.getItem(KEY) ? 'Admin key set for this tab' : '';
}

function setStatus(status) {
  const node = byId('mission-status');
  const s = STATUS[status];
  node.dataset.status = s ? status : 'unknown';
  node.querySelector('.emoji').textContent = s ? s.emoji : '⚪';
  node.querySelector('.word').textContent = s ? s.word : 'Unknown';
  node.title = s ? `${s.word}: ${s.note}` : '';
}

function routeName(r) {
  return `${r.method} ${r.route}`;
}

function routeRows(id, rows, cols) {
  const body = byId(id).tBodies[0];
  if (!rows.length) {
    fillRows(body, [el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'None yet.' }))]);
    return;
  }
  fillRows(body, rows.map((r) => el('tr', { dataset: { route: routeName(r) } },
    el('th', { scope: 'row', class: 'key', text: routeName(r) }),
    ...cols.map(([f, key]) => el('td', { class: 'num', text: f(r[key]), dataset: { value: r[key] } })))));
}

function renderOverview(mc) {
  setStatus(mc.status);
  setValue('mc-rpm1', fmt.count(mc.requests.per_minute_1m), mc.requests.per_minute_1m);
  setValue('mc-rpm5', fmt.rate(mc.requests.per_minute_5m), mc.requests.per_minute_5m);
  setValue('mc-current', fmt.count(mc.requests.current_minute), mc.requests.current_minute);
  setValue('mc-p50', fmt.ms(mc.latency_ms.p50), mc.latency_ms.p50);
  setValue('mc-p95', fmt.ms(mc.latency_ms.p95), mc.latency_ms.p95);
  setValue('mc-4xx', fmt.percent(mc.error_rates_percent['4xx']), mc.error_rates_percent['4xx']);
  setValue('mc-5xx', fmt.percent(mc.error_rates_percent['5xx']), mc.error_rates_percent['5xx']);
  setValue('mc-clients', fmt.count(mc.unique_clients_30m), mc.unique_clients_30m);
  const r = mc.routes;
  routeRows('routes-top', r.top_by_volume, [[fmt.count, 'requests'], [fmt.ms, 'p95_ms']]);
  routeRows('routes-slow', r.slowest_by_p95, [[fmt.ms, 'p95_ms'], [fmt.count, 'requests']]);
  routeRows('routes-5xx', r.most_5xx, [[fmt.count, 'errors_5xx'], [fmt.percent, 'error_rate_5xx_percent']]);
}

function renderSeries(ts) {
  const times = ts.points.map((p) => new Date(p.timestamp));
  const c = (p, k) => p.status_classes[k];
  timeChart(byId('chart-requests').querySelector('.chart-body'), {
    label: 'Requests per minute, last 60 minutes',
    times,
    kind: 'bars',
    series: [
      { name: 'OK (1xx–3xx)', values: ts.points.map((p) => c(p, '1xx') + c(p, '2xx') + c(p, '3xx')) },
      { name: '4xx', values: ts.points.map((p) => c(p, '4xx')) },
      { name: '5xx', values: ts.points.map((p) => c(p, '5xx')) },
    ],
    format: fmt.count,
  });
  timeChart(byId('chart-latency').querySelector('.chart-body'), {
    label: 'Latency P50 and P95, last 60 minutes',
    times,
    series: [
      { name: 'P50', values: ts.points.map((p) => p.p50_ms) },
      { name: 'P95', values: ts.points.map((p) => p.p95_ms) },
    ],
    format: fmt.ms,
  });
}

function renderEvents(ev) {
  const items = ev.events.map((e) => el('li', { class: `event ${e.severity}`, dataset: { kind: e.kind } },
    el('span', { class: 'emoji', 'aria-hidden': 'true', text: SEVERITY[e.severity] || '⚪' }),
    el('time', { datetime: e.timestamp, text: fmt.clock(e.timestamp).slice(0, 5) }),
    el('span', { class: 'visually-hidden', text: ` ${e.severity}: ` }),
    el('span', { class: 'event-text', text: e.message })));
  byId('events').replaceChildren(...items);
  byId('events-empty').hidden = items.length > 0;
}

function askForKey(refused) {
  waitingForKey = true;
  const dialog = byId('key-dialog');
  showAlert('key-error', refused ? 'That admin key was refused. Check APP_API_KEY on the server.' : '');
  showAlert('mission-error', 'Mission Control needs this server\'s admin key.');
  if (!dialog.open) dialog.showModal();
  byId('key-input').focus();
}

function refresh() {
  if (inFlight || waitingForKey) return inFlight;
  const panel = byId('mission');
  panel.setAttribute('aria-busy', 'true');
  const h = { headers: headers() };
  inFlight = Promise.all([
    getJSON('/admin/api/mission-control', h),
    getJSON('/admin/api/timeseries?window=60m&resolution=1m', h),
    getJSON('/admin/api/events?limit=50', h),
  ])
    .then(([mc, ts, ev]) => {
      renderOverview(mc);
      renderSeries(ts);
      renderEvents(ev);
      lastGood = new Date();
      const time = byId('mission-refreshed');
      time.textContent = fmt.clock(lastGood);
      time.dateTime = lastGood.toISOString();
      panel.dataset.refreshCount = String(Number(panel.dataset.refreshCount) + 1);
      panel.dataset.serverTimestamp = mc.timestamp;
      panel.classList.remove('stale');
      showAlert('mission-error', '');
    })
    .catch((err) => {
      if (err.status === 401) {
        askForKey(Boolean(sessionStorage.getItem(KEY)));
        return;
      }
      panel.classList.add('stale');
      const since = lastGood ? ` The figures below are from ${fmt.clock(lastGood)}.` : '';
      showAlert('mission-error', `${explain(err)}.${since} Retrying automatically.`);
    })
    .finally(() => {
      inFlight = null;
      panel.removeAttribute('aria-busy');
    });
  return inFlight;
}

function setupKeyDialog() {
  const dialog = byId('key-dialog');
  byId('open-key').addEventListener('click', () => {
    byId('key-input').value = '';
    showAlert('key-error', '');
    dialog.showModal();
    byId('key-input').focus();
  });
  byId('key-close').addEventListener('click', () => dialog.close());
  byId('key-forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    showKeyLabel();
    dialog.close();
  });
  byId('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const k = byId('key-input').value.trim();
    if (!k) {
      showAlert('key-error', 'Enter the admin key.');
      return;
    }
    sessionStorage.setItem(KEY, k);
    showKeyLabel();
    dialog.close();
    waitingForKey = false;
    refresh();
  });
}

async function main() {
  let seconds = 30;
  try {
    const config = await serverConfig();
    seconds = config.refresh_seconds || 30;
    byId('version').textContent = `v${config.version}`;
  } catch (err) {
    showAlert('mission-error', `${explain(err)}. Retrying automatically.`);
  }
  byId('refresh-interval').textContent = fmt.interval(seconds);
  setupKeyDialog();
  showKeyLabel();
  byId('mission-refresh').addEventListener('click', () => {
    waitingForKey = false;
    refresh();
  });
  refresh();
  setInterval(refresh, seconds * 1000);
  document.body.dataset.ready = 'true';
}

main();
