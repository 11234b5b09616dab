// Numbers for people: 1.2 GB, 3.4 ms, 12,345. Pure functions, no DOM.
// Sizes are decimal (1 KB = 1000 B, 1 TB = 10^12 B), as the threshold alert's TB.

const DASH = '–';
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function missing(x) {
  return x === null || x === undefined || Number.isNaN(Number(x));
}

/** Three significant digits, without trailing zeros: 1.23, 12.3, 123. */
export function sig3(x) {
  if (x === 0) return '0';
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return String(Number(x.toFixed(digits)));
}

/** 12345 → "12,345". */
export function count(n) {
  if (missing(n)) return DASH;
  return intFormat.format(Number(n));
}

/** 1234567 → "1.23 MB". */
export function bytes(n) {
  if (missing(n)) return DASH;
  let v = Number(n);
  let u = 0;
  while (Math.abs(v) >= 999.5 && u < UNITS.length - 1) {
    v /= 1000;
    u += 1;
  }
  return u === 0 ? `${Math.round(v)} B` : `${sig3(v)} ${UNITS[u]}`;
}

/** Bytes per second → "1.23 MB/s". */
export function bytesPerSecond(n) {
  return missing(n) ? DASH : `${bytes(n)}/s`;
}

/** Milliseconds → "850 µs", "3.4 ms", "1.25 s", "2.5 min". */
export function ms(x) {
  if (missing(x)) return DASH;
  const v = Number(x);
  if (v === 0) return '0 ms';
  if (v < 1) return `${sig3(v * 1000)} µs`;
  if (v < 1000) return `${sig3(v)} ms`;
  if (v < 60000) return `${sig3(v / 1000)} s`;
  return `${sig3(v / 60000)} min`;
}

/** A rate like operations/sec: "0", "<0.01", "0.35", "12.3", "1.2k". */
export function rate(x) {
  if (missing(x)) return DASH;
  const v = Number(x);
  if (v === 0) return '0';
  if (v < 0.01) return '<0.01';
  if (v >= 1000) return `${sig3(v / 1000)}k`;
  return sig3(v);
}

/** Percent with two decimals under 10 %, one above: "4.76 %", "12.5 %", "0 %", "<0.01 %". */
export function percent(x) {
  if (missing(x)) return DASH;
  const v = Number(x);
  if (v === 0) return '0 %';
  if (v > 0 && v < 0.01) return '<0.01 %';
  return `${v.toFixed(v < 10 ? 2 : 1)} %`;
}

/** A Date or ISO string → local "14:05:09". */
export function clock(t) {
  if (!t) return DASH;
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return DASH;
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A Date or ISO string → local "29 Nov 14:05". */
export function dateTime(t) {
  if (!t) return DASH;
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return DASH;
  return d.toLocaleString('en-GB', {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
  });
}

/** Seconds → "30 s", "2 min", "1 h". */
export function interval(sec) {
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${sig3(sec / 60)} min`;
  return `${sig3(sec / 3600)} h`;
}

/** Health by error rate, as the server decides it (SPEC §5). */
export const HEALTH = {
  healthy: { emoji: '🟢', word: 'Healthy', note: 'error rate under 5 %' },
  degraded: { emoji: '🟡', word: 'Degraded', note: 'error rate 5–10 %' },
  unhealthy: { emoji: '🔴', word: 'Unhealthy', note: 'error rate over 10 %' },
};
