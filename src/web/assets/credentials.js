// The credentials dialog (also opened by /config): fields for the SPEC §1 headers,
// checked with `POST /validate-credentials` before anything is stored; stored per the
// rules in api.js. Under `--demo` the server offers its demo credentials in one click.

import {
  getJSON, tenantHeaders, loadCredentials, saveCredentials, forgetCredentials, explain,
} from './api.js';
import { byId, showAlert } from './dom.js';
import { count } from './format.js';

const FIELDS = ['key', 'secret', 'region', 'endpoint', 'log_bucket', 'log_prefix', 'metrics_bucket', 'metrics_prefix'];
const inputId = (f) => `cfg-${f.replace('_', '-')}`;

function readForm() {
  const c = {};
  for (const f of FIELDS) c[f] = byId(inputId(f)).value.trim();
  return c;
}

function fillForm(c) {
  for (const f of FIELDS) byId(inputId(f)).value = (c && c[f]) || '';
  byId('cfg-remember').checked = Boolean(c && c.remembered);
}

/** Shows who is connected in the header. */
function showAccount(creds, bucketCount) {
  const label = byId('account-label');
  const button = byId('open-config');
  if (!creds) {
    label.textContent = 'Not connected';
    button.textContent = 'Connect storage';
    return;
  }
  const key = creds.key.length > 8 ? `${creds.key.slice(0, 4)}…${creds.key.slice(-4)}` : creds.key;
  const buckets = bucketCount === undefined ? '' : ` · ${count(bucketCount)} bucket${bucketCount === 1 ? '' : 's'}`;
  label.textContent = `Key ${key}${buckets}${creds.remembered ? ' · remembered' : ''}`;
  button.textContent = 'Credentials';
}

function announce() {
  document.dispatchEvent(new CustomEvent('credentials-changed'));
}

async function check(creds, remember) {
  const status = byId('config-status');
  showAlert('config-error', '');
  if (!creds.key || !creds.secret) {
    showAlert('config-error', 'Enter both the access key and the secret key.');
    (creds.key ? byId('cfg-secret') : byId('cfg-key')).focus();
    return false;
  }
  status.textContent = 'Checking the credentials…';
  byId('cfg-save').disabled = true;
  try {
    const v = await getJSON('/validate-credentials', { method: 'POST', headers: tenantHeaders(creds) });
    saveCredentials(creds, remember);
    status.textContent = `Connected: ${count(v.bucket_count)} bucket${v.bucket_count === 1 ? '' : 's'} at ${v.endpoint}.`;
    showAccount({ ...creds, remembered: remember }, v.bucket_count);
    // Done with /config: a reload shows the dashboard, not the dialog again.
    if (window.location.pathname === '/config') window.history.replaceState(null, '', '/');
    announce();
    return true;
  } catch (err) {
    status.textContent = '';
    showAlert('config-error', `These credentials were not accepted: ${explain(err)}`);
    byId('cfg-secret').focus();
    return false;
  } finally {
    byId('cfg-save').disabled = false;
  }
}

/** Wires the dialog; `demo` is the server's demo offer (or null). */
export function setupCredentials(demo) {
  const dialog = byId('config-dialog');
  const open = () => {
    fillForm(loadCredentials());
    showAlert('config-error', '');
    byId('config-status').textContent = '';
    if (!dialog.open) dialog.showModal();
    byId(demo && !loadCredentials() ? 'use-demo' : 'cfg-key').focus();
  };
  byId('open-config').addEventListener('click', open);
  byId('cfg-close').addEventListener('click', () => dialog.close());
  byId('cfg-forget').addEventListener('click', () => {
    forgetCredentials();
    fillForm(null);
    showAccount(null);
    byId('config-status').textContent = 'Credentials forgotten in this browser.';
    announce();
  });
  byId('config-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await check(readForm(), byId('cfg-remember').checked)) dialog.close();
  });
  if (demo) {
    byId('demo-badge').hidden = false;
    byId('demo-offer').hidden = false;
    byId('use-demo').addEventListener('click', async () => {
      fillForm({ ...demo, remembered: byId('cfg-remember').checked });
      if (!demo.secret) {
        byId('demo-note').textContent = 'Enter the secret given to --demo-secret.';
        byId('cfg-secret').focus();
        return;
      }
      if (await check(readForm(), byId('cfg-remember').checked)) dialog.close();
    });
  }
  const saved = loadCredentials();
  showAccount(saved);
  if (window.location.pathname === '/config') open();
  return saved;
}
