// The storage-threshold alert of the seed: the chosen bucket's size against a threshold
// in TB, with a warning at a percentage of it. Shown on the page; also as a browser
// notification when the person allowed them (asked only on their click), once per
// bucket and level per page load. Settings are kept in localStorage (not secret).

import { byId } from './dom.js';
import * as fmt from './format.js';

const SETTINGS = 'spacewatch.threshold';
const TB = 1e12;
const notified = new Set();
let last = null;

function settings() {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS) || '{}');
    return { tb: Number(s.tb) > 0 ? Number(s.tb) : 1, warn: Number(s.warn) > 0 ? Number(s.warn) : 80 };
  } catch {
    return { tb: 1, warn: 80 };
  }
}

/** The level of `bytes` against the settings: ok, warning or exceeded. */
export function level(bytes, { tb, warn }) {
  const pct = (100 * bytes) / (tb * TB);
  return { pct, state: pct >= 100 ? 'exceeded' : pct >= warn ? 'warning' : 'ok' };
}

function notify(bucket, state, text) {
  const key = `${bucket}:${state}`;
  if (state === 'ok' || notified.has(key)) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  notified.add(key);
  new Notification('SpaceWatch storage alert', { body: text, tag: key });
}

function evaluate() {
  const node = byId('threshold-state');
  const meter = byId('threshold-meter');
  const s = settings();
  meter.low = s.warn;
  if (!last) {
    node.textContent = 'Pick a bucket to compare.';
    node.dataset.state = 'none';
    meter.value = 0;
    return;
  }
  const { bucket, bytes } = last;
  const { pct, state } = level(bytes, s);
  meter.value = Math.min(100, pct);
  const used = `${bucket} holds ${fmt.bytes(bytes)}: ${fmt.percent(pct)} of ${s.tb} TB`;
  const text = {
    ok: `✅ OK — ${used}.`,
    warning: `⚠️ Warning — ${used}, above the ${s.warn} % warning level.`,
    exceeded: `🚨 Over the threshold — ${used}.`,
  }[state];
  node.textContent = text;
  node.dataset.state = state;
  notify(bucket, state, text);
}

function updateNotifyButton() {
  const b = byId('threshold-notify');
  if (typeof Notification === 'undefined') {
    b.hidden = true;
    return;
  }
  const p = Notification.permission;
  b.disabled = p !== 'default';
  b.textContent = p === 'granted' ? 'Browser notifications on' : p === 'denied' ? 'Notifications blocked in this browser' : 'Enable browser notifications';
}

export function setupThreshold() {
  const s = settings();
  byId('threshold-tb').value = String(s.tb);
  byId('threshold-warn').value = String(s.warn);
  const save = () => {
    const tb = Number(byId('threshold-tb').value);
    const warn = Number(byId('threshold-warn').value);
    if (tb > 0 && warn > 0 && warn <= 100) {
      localStorage.setItem(SETTINGS, JSON.stringify({ tb, warn }));
      evaluate();
    }
  };
  byId('threshold-tb').addEventListener('input', save);
  byId('threshold-warn').addEventListener('input', save);
  byId('threshold').addEventListener('submit', (e) => e.preventDefault());
  byId('threshold-notify').addEventListener('click', async () => {
    await Notification.requestPermission();
    updateNotifyButton();
    evaluate();
  });
  document.addEventListener('summary', (e) => {
    last = { bucket: e.detail.bucket, bytes: e.detail.summary.total_bytes };
    evaluate();
  });
  document.addEventListener('bucket-changed', () => {
    last = null;
    evaluate();
  });
  updateNotifyButton();
  evaluate();
}
