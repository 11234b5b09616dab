// Trends of the chosen bucket from its metric snapshots: `GET /metrics/series` (objects,
// stored bytes, requests, errors, bandwidth, unique IPs; needs X-Metrics-Bucket) and
// `GET /metrics/top-ips` (from the access logs; needs X-Log-Bucket). Without those
// buckets the calls are not made and the page says what to set; a server without
// snapshots (404) or without the feature (503) gets a clear empty state, never an error.

import { tenantJSON, loadCredentials, explain } from './api.js';
import { byId, showAlert } from './dom.js';
import { timeChart, barList } from './charts.js';
import * as fmt from './format.js';

let bucket = null;
let generation = 0;

function message(text) {
  const node = byId('trends-message');
  node.textContent = text || '';
  node.hidden = !text;
}

/** 404 / 503 are states of the server, not failures: say what they mean. */
function emptyText(err, what) {
  const extra = err.detail && !/^not found$/i.test(err.detail) ? ` (${err.detail})` : '';
  if (err.status === 503) return `${what} not available on this server${extra}.`;
  return `No snapshots yet for ${bucket}${extra}. SpaceWatch records one each time a snapshot is taken (POST /metrics/snapshot).`;
}

function isEmptyState(err) {
  return err && (err.status === 404 || err.status === 503);
}

function body(id) {
  return byId(id).querySelector('.chart-body');
}

function drawSeries(points) {
  const times = points.map((p) => new Date(p.timestamp));
  const col = (f) => points.map((p) => {
    const v = f(p);
    return v === undefined || v === null || Number.isNaN(v) ? null : v;
  });
  const classes = (p, k) => (p.by_status_class ? p.by_status_class[k] || 0 : null);
  timeChart(body('chart-objects'), { label: 'Objects', times, series: [{ name: 'Objects', values: col((p) => p.source_objects) }], format: fmt.count });
  timeChart(body('chart-bytes'), { label: 'Stored data', times, series: [{ name: 'Stored', values: col((p) => p.source_bytes) }], format: fmt.bytes });
  timeChart(body('chart-requests'), { label: 'Requests', times, series: [{ name: 'Requests', values: col((p) => p.requests_total) }], format: fmt.count });
  timeChart(body('chart-errors'), {
    label: 'Errors',
    times,
    kind: 'bars',
    series: [
      { name: '4xx', values: col((p) => classes(p, '4xx')), cls: 's1' },
      { name: '5xx', values: col((p) => classes(p, '5xx')), cls: 's2' },
    ],
    format: fmt.count,
  });
  timeChart(body('chart-bandwidth'), { label: 'Bandwidth', times, series: [{ name: 'Bytes sent', values: col((p) => p.bytes_sent) }], format: fmt.bytes });
  timeChart(body('chart-ips'), { label: 'Unique IPs', times, series: [{ name: 'Unique IPs', values: col((p) => p.unique_ips) }], format: fmt.count });
}

async function load() {
  const mine = ++generation;
  const charts = byId('trend-charts');
  const top = byId('chart-top-ips');
  showAlert('trends-error', '');
  if (!bucket) {
    charts.hidden = true;
    top.hidden = true;
    message('Pick a bucket to see its history.');
    return;
  }
  message(`Loading the history of ${bucket}…`);
  const creds = loadCredentials() || {};
  const hours = byId('trends-hours').value;
  const q = `source_bucket=${encodeURIComponent(bucket)}`;
  const unset = (what, header) => Promise.reject(Object.assign(new Error(what), { unset: header }));
  const [series, ips] = await Promise.allSettled([
    creds.metrics_bucket ? tenantJSON(`/metrics/series?${q}&hours=${hours}`) : unset('snapshots', 'metrics bucket'),
    creds.log_bucket ? tenantJSON(`/metrics/top-ips?${q}&limit=10`) : unset('top IPs', 'access-log bucket'),
  ]);
  if (mine !== generation) return;
  // These reads were storage operations (QUERY_METRICS, QUERY_LOGS): count them now.
  const asked = [series, ips].some((r) => r.status === 'fulfilled' || r.reason.status);
  if (asked) document.dispatchEvent(new CustomEvent('storage-read'));
  const trends = byId('trends');
  if (series.status === 'fulfilled' && series.value.points && series.value.points.length) {
    message('');
    charts.hidden = false;
    drawSeries(series.value.points);
    trends.dataset.state = 'charts';
  } else {
    charts.hidden = true;
    const err = series.status === 'rejected' ? series.reason : null;
    if (err && err.unset) {
      message('Name a metrics bucket in “Connect storage” to see the trends of its snapshots.');
      trends.dataset.state = 'unset';
    } else if (err && !isEmptyState(err)) {
      message('');
      showAlert('trends-error', `Could not read the snapshots of ${bucket}: ${explain(err)}`);
      trends.dataset.state = 'error';
    } else {
      message(err ? emptyText(err, 'Snapshots are') : `No snapshots yet for ${bucket} in this period.`);
      trends.dataset.state = 'empty';
    }
  }
  if (ips.status === 'fulfilled' && ips.value.top_ips && ips.value.top_ips.length) {
    top.hidden = false;
    barList(body('chart-top-ips'), {
      label: 'Top IPs by requests',
      items: ips.value.top_ips.map((r) => ({
        label: r.ip,
        value: r.requests,
        detail: `${fmt.bytes(r.bytes)} sent · ${fmt.count(r.errors)} error${r.errors === 1 ? '' : 's'}`,
      })),
      format: (v) => `${fmt.count(v)} req`,
    });
  } else {
    top.hidden = true;
    const err = ips.status === 'rejected' ? ips.reason : null;
    if (err && !err.unset && !isEmptyState(err)) {
      showAlert('trends-error', `Could not read the top IPs of ${bucket}: ${explain(err)}`);
    }
  }
}

export function setupSnapshots() {
  document.addEventListener('bucket-changed', (e) => {
    bucket = e.detail.bucket;
    load();
  });
  byId('trends-hours').addEventListener('change', () => load());
}
