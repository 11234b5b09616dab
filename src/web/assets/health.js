// The Storage Operations Health panel: `GET /health` → `storage_metrics`, every N
// seconds, on the Refresh button, with the time of the last refresh, an empty state
// and a visible error state (the last figures stay, marked stale).
//
// When the server has a fleet engine (`/health` → `fleet.configured`), a switch shows
// the same figures for the whole fleet: `GET /fleet/operations` → `current_5m`, with the
// admin key Mission Control keeps for this tab.

import { getJSON, explain } from './api.js';
import { byId, el, setValue, showAlert, fillRows } from './dom.js';
import * as fmt from './format.js';

let inFlight = null;
let again = false;
let lastGood = null;
let scope = 'replica';

const ADMIN_KEY = 'spacewatch.admin-key';

/** Health by the error rate, as the server decides it (healthy < 5 %, degraded ≤ 10 %). */
function statusOf(rate) {
  if (rate < 5) return 'healthy';
  return rate <= 10 ? 'degraded' : 'unhealthy';
}

/** `/health`, or in fleet scope the fleet's figures in `/health`'s shape. */
async function figures() {
  const health = await getJSON('/health');
  const fleetOn = Boolean(health.fleet && health.fleet.configured);
  byId('health-scope').hidden = !fleetOn;
  if (scope !== 'fleet' || !fleetOn) {
    byId('health-fleet').hidden = true;
    return health;
  }
  const key = sessionStorage.getItem(ADMIN_KEY);
  const fleet = await getJSON('/fleet/operations', { headers: key ? { 'X-API-Key': key } : {} })
    .catch((err) => {
      if (err.status === 401) {
        throw new Error('The fleet view needs the admin key: set it once in Mission Control (/admin) for this tab');
      }
      throw err;
    });
  const up = (fleet.replicas || []).filter((r) => r.up).length;
  const note = byId('health-fleet');
  note.hidden = false;
  note.textContent = `Fleet: ${up} of ${(fleet.replicas || []).length} replicas up, from ${fleet.source.engine_url}.`;
  const m = fleet.current_5m;
  return { ...health, status: statusOf(m.error_rate_percent), storage_metrics: m, timestamp: fleet.timestamp };
}

function setStatus(status) {
  const node = byId('health-status');
  const h = fmt.HEALTH[status];
  node.dataset.status = h ? status : 'unknown';
  node.querySelector('.emoji').textContent = h ? h.emoji : '⚪';
  node.querySelector('.word').textContent = h ? `${h.word}` : 'Unknown';
  node.title = h ? `${h.word}: ${h.note}` : '';
}

function breakdownRow([name, t]) {
  // data-label: the column name, shown beside the value when a phone stacks the cells.
  const num = (label, text, raw) => el('td', { class: 'num', text, 'data-label': label, dataset: { value: raw } });
  return el('tr', { dataset: { operation: name } },
    el('th', { scope: 'row', text: name }),
    num('Count', fmt.count(t.request_count), t.request_count),
    num('Errors', fmt.count(t.error_count), t.error_count),
    num('Error rate', fmt.percent(t.error_rate_percent), t.error_rate_percent),
    num('Bytes', fmt.bytes(t.bytes_transferred), t.bytes_transferred),
    num('Avg', fmt.ms(t.avg_latency_ms), t.avg_latency_ms),
    num('P95', fmt.ms(t.p95), t.p95));
}

function render(health) {
  const m = health.storage_metrics;
  setStatus(health.status);
  setValue('m-ops', fmt.rate(m.operations_per_second), m.operations_per_second);
  setValue('m-total', fmt.count(m.total_operations_5m), m.total_operations_5m);
  setValue('m-error-rate', fmt.percent(m.error_rate_percent), m.error_rate_percent);
  setValue('m-errors', `${fmt.count(m.error_operations_5m)} failed`, m.error_operations_5m);
  setValue('m-bps', fmt.bytesPerSecond(m.bytes_per_second), m.bytes_per_second);
  setValue('m-bytes', `${fmt.bytes(m.total_bytes_transferred_5m)} in 5 min`, m.total_bytes_transferred_5m);
  setValue('m-p50', fmt.ms(m.latency_p50_ms), m.latency_p50_ms);
  setValue('m-p95', fmt.ms(m.latency_p95_ms), m.latency_p95_ms);
  setValue('m-p99', fmt.ms(m.latency_p99_ms), m.latency_p99_ms);
  const rows = Object.entries(m.operation_breakdown || {})
    .sort((a, b) => b[1].request_count - a[1].request_count || a[0].localeCompare(b[0]));
  fillRows(byId('breakdown').tBodies[0], rows.map(breakdownRow));
  const empty = m.total_operations_5m === 0;
  byId('health-empty').hidden = !empty;
  byId('breakdown-wrap').hidden = empty;
}

/** One refresh; a call during one runs once more after it (its figures may be newer). */
export function refreshHealth() {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  const panel = byId('health');
  const button = byId('health-refresh');
  button.disabled = true;
  panel.setAttribute('aria-busy', 'true');
  panel.dataset.scope = scope;
  inFlight = figures()
    .then((health) => {
      render(health);
      document.dispatchEvent(new CustomEvent('health', { detail: health }));
      lastGood = new Date();
      const time = byId('health-refreshed');
      time.textContent = fmt.clock(lastGood);
      time.dateTime = lastGood.toISOString();
      panel.dataset.refreshedAt = lastGood.toISOString();
      panel.dataset.refreshCount = String(Number(panel.dataset.refreshCount || 0) + 1);
      panel.dataset.serverTimestamp = health.timestamp;
      panel.classList.remove('stale');
      showAlert('health-error', '');
    })
    .catch((err) => {
      panel.classList.add('stale');
      const since = lastGood ? ` The figures below are from ${fmt.clock(lastGood)}.` : '';
      showAlert('health-error', `${explain(err)}.${since} Retrying automatically.`);
      if (!lastGood) setStatus(null);
    })
    .finally(() => {
      inFlight = null;
      button.disabled = false;
      panel.removeAttribute('aria-busy');
      if (again) {
        again = false;
        refreshHealth();
      }
    });
  return inFlight;
}

/** Starts the panel: a refresh now, then every `seconds`, and on the button. */
export function startHealth(seconds) {
  byId('refresh-interval').textContent = fmt.interval(seconds);
  byId('health-refresh').addEventListener('click', () => refreshHealth());
  for (const radio of document.querySelectorAll('input[name="health-scope"]')) {
    radio.addEventListener('change', () => {
      scope = radio.value;
      refreshHealth();
    });
  }
  document.addEventListener('storage-read', () => refreshHealth());
  refreshHealth();
  setInterval(refreshHealth, seconds * 1000);
}
