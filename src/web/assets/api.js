// Talking to this server: JSON requests, readable errors, and the tenant's credentials.
//
// Credentials live in sessionStorage (this tab only) unless the person ticks
// "Remember", then in localStorage — never both. They leave the browser only as the
// SPEC §1 headers, to this server (same origin: every request here is a relative URL).

const CREDENTIALS = 'spacewatch.credentials';

/** An answer that was not a success, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

/** The saved credentials, or null; `remembered` says where they came from. */
export function loadCredentials() {
  for (const [store, remembered] of [[sessionStorage, false], [localStorage, true]]) {
    const raw = store.getItem(CREDENTIALS);
    if (!raw) continue;
    try {
      const c = JSON.parse(raw);
      if (c && c.key && c.secret) return { ...c, remembered };
    } catch {
      store.removeItem(CREDENTIALS);
    }
  }
  return null;
}

/** Keeps `creds` in sessionStorage, or in localStorage when `remember`. */
export function saveCredentials(creds, remember) {
  const { remembered, ...clean } = creds;
  const text = JSON.stringify(clean);
  if (remember) {
    localStorage.setItem(CREDENTIALS, text);
    sessionStorage.removeItem(CREDENTIALS);
  } else {
    sessionStorage.setItem(CREDENTIALS, text);
    localStorage.removeItem(CREDENTIALS);
  }
}

export function forgetCredentials() {
  sessionStorage.removeItem(CREDENTIALS);
  localStorage.removeItem(CREDENTIALS);
}

const HEADERS = [
  ['key', 'X-Spaces-Key'],
  ['secret', 'X-Spaces-Secret'],
  ['region', 'X-Region'],
  ['endpoint', 'X-Endpoint'],
  ['log_bucket', 'X-Log-Bucket'],
  ['log_prefix', 'X-Log-Prefix'],
  ['metrics_bucket', 'X-Metrics-Bucket'],
  ['metrics_prefix', 'X-Metrics-Prefix'],
];

/** The SPEC §1 headers of `creds` (empty optional fields are left out). */
export function tenantHeaders(creds) {
  const h = {};
  if (!creds) return h;
  for (const [field, header] of HEADERS) {
    const v = (creds[field] || '').trim();
    if (v) h[header] = v;
  }
  return h;
}

/**
 * `fetch` a JSON endpoint of this server. Throws ApiError with the server's
 * `{"detail"}` on an error status, and status 0 when the server cannot be reached.
 */
export async function getJSON(path, { headers = {}, method = 'GET', body, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store', signal };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Cannot reach the SpaceWatch server');
  }
  let data = null;
  try {
    data = await resp.json();
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const detail = data && typeof data.detail === 'string' ? data.detail : `${resp.status} ${resp.statusText}`;
    const err = new ApiError(resp.status, detail);
    err.retryAfter = Number(resp.headers.get('Retry-After')) || null;
    throw err;
  }
  return data;
}

/** A tenant call: `getJSON` with the saved credentials' headers. */
export function tenantJSON(path, options = {}) {
  const creds = loadCredentials();
  return getJSON(path, { ...options, headers: { ...tenantHeaders(creds), ...(options.headers || {}) } });
}

/** A person-readable sentence for an error. */
export function explain(err) {
  if (!(err instanceof ApiError)) return `Unexpected error: ${err && err.message ? err.message : err}`;
  if (err.status === 0) return err.detail;
  if (err.status === 429) {
    const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : '';
    return `Too many requests: the server's rate limit was reached.${wait}`;
  }
  return `${err.detail} (HTTP ${err.status})`;
}

let uiConfig = null;

/** What the server tells the page about itself (`GET /api/ui-config`), fetched once. */
export async function serverConfig() {
  if (!uiConfig) {
    uiConfig = getJSON('/api/ui-config').catch((e) => {
      uiConfig = null;
      throw e;
    });
  }
  return uiConfig;
}
