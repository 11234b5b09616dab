// The bucket picker and what the dashboard shows of the chosen bucket: the listing
// (first 200 objects), the storage summary and the largest objects. Announces the
// chosen bucket and its summary to the other panels ("bucket-changed", "summary").

import { tenantJSON, loadCredentials, explain } from './api.js';
import { byId, el, setValue, showAlert, fillRows } from './dom.js';
import * as fmt from './format.js';

const CHOSEN = 'spacewatch.bucket';
let generation = 0;

function message(text) {
  const node = byId('storage-message');
  node.textContent = text || '';
  node.hidden = !text;
}

function objectRow(o, rank) {
  return el('tr', {},
    rank === undefined ? null : el('td', { class: 'num', text: String(rank) }),
    el('td', { class: 'key', text: o.key }),
    el('td', { class: 'num', text: fmt.bytes(o.size), dataset: { value: o.size }, title: `${fmt.count(o.size)} bytes` }),
    el('td', { text: fmt.dateTime(o.last_modified) }));
}

async function loadBucket(bucket) {
  const mine = ++generation;
  showAlert('storage-error', '');
  byId('storage-body').hidden = false;
  byId('storage-body').setAttribute('aria-busy', 'true');
  byId('listing-count').textContent = 'Loading…';
  document.dispatchEvent(new CustomEvent('bucket-changed', { detail: { bucket } }));
  const q = `bucket=${encodeURIComponent(bucket)}`;
  const [listing, summary, top] = await Promise.allSettled([
    tenantJSON(`/tools/list-all?${q}`),
    tenantJSON(`/tools/storage-summary?${q}`),
    tenantJSON(`/tools/top-largest?${q}&limit=10`),
  ]);
  if (mine !== generation) return;
  byId('storage-body').removeAttribute('aria-busy');
  const failed = [listing, summary, top].find((r) => r.status === 'rejected');
  if (failed) showAlert('storage-error', `Could not read bucket ${bucket}: ${explain(failed.reason)}`);
  if (listing.status === 'fulfilled') {
    const l = listing.value;
    fillRows(byId('listing').tBodies[0], l.objects.map((o) => objectRow(o)));
    const shown = l.truncated ? `Showing the first ${fmt.count(l.returned)} of ${fmt.count(l.count)} objects` : `${fmt.count(l.count)} object${l.count === 1 ? '' : 's'}`;
    const node = byId('listing-count');
    node.textContent = `${shown}, ${fmt.bytes(l.total_bytes)} in all.`;
    node.dataset.count = String(l.count);
    node.dataset.returned = String(l.returned);
  } else {
    byId('listing-count').textContent = '';
    fillRows(byId('listing').tBodies[0], []);
  }
  if (summary.status === 'fulfilled') {
    const s = summary.value;
    setValue('s-objects', fmt.count(s.object_count), s.object_count);
    setValue('s-bytes', fmt.bytes(s.total_bytes), s.total_bytes);
    setValue('s-avg', fmt.bytes(s.average_object_bytes), s.average_object_bytes);
    document.dispatchEvent(new CustomEvent('summary', { detail: { bucket, summary: s } }));
  }
  if (top.status === 'fulfilled') {
    fillRows(byId('top-largest').tBodies[0], top.value.objects.map((o, i) => objectRow(o, i + 1)));
  }
  // These reads were storage operations: let the health panel count them now.
  document.dispatchEvent(new CustomEvent('storage-read', { detail: { bucket } }));
}

async function loadBuckets() {
  const picker = byId('bucket-picker');
  const reload = byId('storage-reload');
  showAlert('storage-error', '');
  if (!loadCredentials()) {
    picker.replaceChildren(el('option', { value: '', text: 'Connect storage first' }));
    picker.disabled = true;
    reload.disabled = true;
    byId('storage-body').hidden = true;
    message('Connect your storage to browse its buckets.');
    document.dispatchEvent(new CustomEvent('bucket-changed', { detail: { bucket: null } }));
    return;
  }
  message('Loading buckets…');
  try {
    const { buckets } = await tenantJSON('/tools/buckets');
    reload.disabled = false;
    if (!buckets.length) {
      picker.replaceChildren(el('option', { value: '', text: 'No buckets' }));
      picker.disabled = true;
      message('This account has no buckets yet.');
      return;
    }
    const names = buckets.map((b) => b.name).sort();
    const saved = localStorage.getItem(CHOSEN);
    const chosen = names.includes(saved) ? saved : names[0];
    picker.replaceChildren(...names.map((n) => el('option', { value: n, text: n, selected: n === chosen })));
    picker.value = chosen;
    picker.disabled = false;
    message('');
    await loadBucket(chosen);
  } catch (err) {
    picker.disabled = true;
    message('');
    showAlert('storage-error', `Could not list buckets: ${explain(err)}`);
  }
}

export function setupStorage() {
  const picker = byId('bucket-picker');
  picker.addEventListener('change', () => {
    if (!picker.value) return;
    localStorage.setItem(CHOSEN, picker.value);
    loadBucket(picker.value);
  });
  byId('storage-reload').addEventListener('click', () => loadBuckets());
  document.addEventListener('credentials-changed', () => loadBuckets());
  loadBuckets();
}
