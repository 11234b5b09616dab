// Charts drawn here as SVG, no library: a time chart (lines, or stacked bars) and a
// horizontal bar list. Each chart is redrawn at its container's pixel width (readable
// on a phone and a desktop), can be read with the keyboard (focus it, then ← → Home
// End move a cursor whose values are announced), and carries its data as a table in a
// <details> below it. Colours come from classes in app.css.

import { el } from './dom.js';
import { dateTime, clock } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 190;
const PAD = { top: 12, right: 12, bottom: 24 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A "nice" upper bound and ticks for values up to `max` (1, 2, 2.5, 5 × 10^n steps). */
export function niceTicks(max, count = 4) {
  if (!(max > 0)) return { top: 1, ticks: [0, 1] };
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const top = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { top, ticks };
}

const observed = new WeakMap();
const resizer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => {
  for (const e of entries) {
    const draw = observed.get(e.target);
    if (draw && Math.abs(e.contentRect.width - (e.target.dataset.drawnWidth || 0)) > 4) draw();
  }
});

function mount(container, draw) {
  observed.set(container, draw);
  if (resizer) resizer.observe(container);
  draw();
}

/** The data of a chart as a table; a cell is text, or [text, raw value] (data-value). */
function tableOf(caption, head, rows) {
  const cell = (c) => (Array.isArray(c)
    ? el('td', { text: c[0], dataset: c[1] === null ? {} : { value: c[1] } })
    : el('td', { text: c }));
  const thead = el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h }))));
  const tbody = el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map(cell))));
  return el('details', { class: 'chart-data' },
    el('summary', { text: 'Data table' }),
    el('div', { class: 'table-wrap' }, el('table', {}, el('caption', { class: 'visually-hidden', text: caption }), thead, tbody)));
}

function timeLabel(t, spanMs) {
  return spanMs > 36 * 3600e3 ? dateTime(t).replace(/,? \d\d:\d\d$/, '') : clock(t).slice(0, 5);
}

const MINUTE = 60e3;
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * MINUTE);

/**
 * Indexes to label on the time axis: the first point of each period of a round step
 * (5 min, 1 h, 1 day…, in local time) such that at most `fit` labels are drawn.
 */
function labelled(times, fit) {
  const n = times.length;
  if (n < 2) return [0];
  const span = times[n - 1] - times[0];
  const step = STEPS.find((s) => span / s <= Math.max(1, fit - 1)) || STEPS[STEPS.length - 1];
  const local = (t) => t.getTime() - t.getTimezoneOffset() * MINUTE;
  const out = [];
  let last = null;
  times.forEach((t, i) => {
    const period = Math.floor(local(t) / step);
    if (period !== last) {
      if (last !== null || local(t) % step === 0) out.push(i);
      last = period;
    }
  });
  return out.length ? out : [0];
}

/**
 * A chart over time. `series`: [{name, values: [number|null], cls?: 's0'…'s2' (colour)}], `times`: [Date]
 * (one per value), `kind`: 'line' or 'bars' (stacked), `format`: value → text.
 */
export function timeChart(container, { label, times, series, kind = 'line', format = String }) {
  container.replaceChildren();
  if (!times.length) {
    container.append(el('p', { class: 'empty small', text: 'No data points yet.' }));
    return;
  }
  const legend = series.length > 1
    ? el('ul', { class: 'legend' }, ...series.map((s, i) => el('li', {}, el('span', { class: `swatch ${s.cls || `s${i}`}` }), s.name)))
    : null;
  const plot = el('div', { class: 'plot' });
  const readout = el('p', { class: 'readout', 'aria-live': 'polite' });
  const spanMs = times.length > 1 ? times[times.length - 1] - times[0] : 0;
  const rows = times.map((t, i) => [
    [dateTime(t), t.toISOString()],
    ...series.map((s) => (s.values[i] === null ? ['–', null] : [format(s.values[i]), s.values[i]])),
  ]);
  container.append(...[legend, plot, readout, tableOf(label, ['Time', ...series.map((s) => s.name)], rows)].filter(Boolean));
  const describe = (i) => `${dateTime(times[i])}: ${series.map((s) => `${s.name} ${s.values[i] === null ? 'no data' : format(s.values[i])}`).join(', ')}`;
  mount(plot, () => drawTime(plot, { label, times, series, kind, format, spanMs, readout, describe }));
}

function drawTime(plot, o) {
  const width = Math.max(plot.clientWidth || 600, 240);
  plot.dataset.drawnWidth = width;
  const n = o.times.length;
  const totals = o.times.map((_, i) => (o.kind === 'bars'
    ? o.series.reduce((a, s) => a + (s.values[i] || 0), 0)
    : Math.max(0, ...o.series.map((s) => s.values[i] || 0))));
  const { top, ticks } = niceTicks(Math.max(...totals));
  const left = Math.max(36, 8 + 7 * Math.max(...ticks.map((t) => o.format(t).length)));
  const w = width - left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const band = w / n;
  const x = (i) => left + (o.kind === 'bars' ? band * (i + 0.5) : (n === 1 ? w / 2 : (w * i) / (n - 1)));
  const y = (v) => PAD.top + h - (h * v) / top;
  const root = svg('svg', {
    width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, class: 'chart-svg',
    role: 'img', tabindex: 0, 'aria-label': `${o.label}. Use the arrow keys to read values.`,
  });
  for (const t of ticks) {
    root.append(svg('line', { x1: left, x2: left + w, y1: y(t), y2: y(t), class: 'grid' }));
    root.append(svg('text', { x: left - 6, y: y(t) + 4, class: 'tick', 'text-anchor': 'end' }, o.format(t)));
  }
  const perLabel = o.spanMs > 36 * 3600e3 ? 55 : 50;
  for (const i of labelled(o.times, Math.max(2, Math.floor(w / perLabel)))) {
    root.append(svg('text', { x: x(i), y: HEIGHT - 6, class: 'tick', 'text-anchor': 'middle' }, timeLabel(o.times[i], o.spanMs)));
  }
  if (o.kind === 'bars') {
    const bw = Math.max(1, band * 0.8);
    const base = new Array(n).fill(0);
    o.series.forEach((s, si) => {
      s.values.forEach((v, i) => {
        if (!v) return;
        const y0 = y(base[i]);
        const y1 = y(base[i] + v);
        base[i] += v;
        root.append(svg('rect', { x: x(i) - bw / 2, y: y1, width: bw, height: Math.max(0.5, y0 - y1), class: `bar ${s.cls || `s${si}`}` }));
      });
    });
  } else {
    o.series.forEach((s, si) => {
      let d = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) { pen = false; return; }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      const cls = s.cls || `s${si}`;
      root.append(svg('path', { d, class: `line ${cls}` }));
      if (n <= 60) {
        s.values.forEach((v, i) => {
          if (v !== null && v !== undefined) root.append(svg('circle', { cx: x(i), cy: y(v), r: 2.5, class: `dot ${cls}` }));
        });
      }
    });
  }
  const cursor = svg('line', { x1: 0, x2: 0, y1: PAD.top, y2: PAD.top + h, class: 'cursor', visibility: 'hidden' });
  root.append(cursor);
  let at = null;
  const show = (i) => {
    at = Math.max(0, Math.min(n - 1, i));
    cursor.setAttribute('x1', x(at));
    cursor.setAttribute('x2', x(at));
    cursor.setAttribute('visibility', 'visible');
    o.readout.textContent = o.describe(at);
  };
  root.addEventListener('keydown', (e) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const step = moves[e.key];
    show(Number.isFinite(step) ? (at === null ? n - 1 : at + step) : (step < 0 ? 0 : n - 1));
  });
  root.addEventListener('focus', () => { if (at === null) show(n - 1); });
  root.addEventListener('mousemove', (e) => {
    const box = root.getBoundingClientRect();
    const px = e.clientX - box.left - left;
    show(o.kind === 'bars' ? Math.floor(px / band) : Math.round(((n - 1) * px) / w));
  });
  plot.replaceChildren(root);
}

/** Horizontal bars: `items` [{label, value, detail}], largest first. */
export function barList(container, { label, items, format = String }) {
  container.replaceChildren();
  if (!items.length) {
    container.append(el('p', { class: 'empty small', text: 'No data yet.' }));
    return;
  }
  const max = Math.max(...items.map((i) => i.value), 1);
  const list = el('ol', { class: 'bar-list', 'aria-label': label });
  for (const it of items) {
    const bar = svg('svg', { class: 'bar-track', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
    bar.append(svg('rect', { x: 0, y: 0, height: 10, width: Math.max(0.5, (100 * it.value) / max), class: 'bar s0' }));
    list.append(el('li', {},
      el('span', { class: 'bar-label', text: it.label }),
      bar,
      el('span', { class: 'bar-value', text: format(it.value) }),
      it.detail ? el('span', { class: 'bar-detail muted', text: it.detail }) : null));
  }
  container.append(list);
}
