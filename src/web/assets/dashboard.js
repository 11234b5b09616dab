// The dashboard page (/, /dashboard, /config): reads the server's settings once, then
// starts each panel. Panels talk through DOM events: "health" (each /health read),
// "credentials-changed", "bucket-changed", "summary", "storage-read".

import { serverConfig, explain } from './api.js';
import { byId, showAlert } from './dom.js';
import { startHealth } from './health.js';
import { setupCredentials } from './credentials.js';
import { setupStorage } from './storage.js';
import { setupThreshold } from './threshold.js';
import { setupSnapshots } from './snapshots.js';
import { setupChat } from './chat.js';

async function main() {
  let config;
  try {
    config = await serverConfig();
  } catch (err) {
    // The health panel shows the same failure and retries; start with defaults.
    config = { refresh_seconds: 30, demo: false, demo_credentials: null, agent_configured: false };
    showAlert('health-error', `${explain(err)}. Retrying automatically.`);
  }
  byId('version').textContent = config.version ? `v${config.version}` : '';
  setupThreshold();
  setupSnapshots();
  setupStorage();
  setupChat();
  setupCredentials(config.demo ? config.demo_credentials : null);
  startHealth(config.refresh_seconds || 30);
  document.body.dataset.ready = 'true';
}

main();
