// A line-protocol driver of Debian's Chromium for the Rust browser tests
// (tests/browser/main.rs): one JSON command per line on stdin, one JSON answer per
// line on stdout ({"ok": true, "value": …} or {"ok": false, "error": "…"}).
//
// Every request the page makes is recorded (URL, method, headers, status), with every
// console message, page error and failed request, so a test can assert that nothing
// left the host and nothing went wrong. JSON bodies of responses are kept per path so
// a test can compare what the page shows with what the server said.

import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
// Flags for a closed network: no background traffic to Google's hosts.
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--metrics-recording-only',
  '--no-default-browser-check', '--disable-features=Translate,OptimizationHints,MediaRouter',
];

let browser = null;
let context = null;
let page = null;
let log = null;

function freshLog() {
  return { requests: [], console: [], pageErrors: [], failed: [], bodies: {} };
}

function watch(p) {
  p.on('request', (r) => {
    log.requests.push({ url: r.url(), method: r.method(), type: r.resourceType(), headers: r.headers(), postData: r.postData(), status: null });
  });
  p.on('response', async (resp) => {
    const url = resp.url();
    const entry = [...log.requests].reverse().find((r) => r.url === url && r.status === null);
    if (entry) entry.status = resp.status();
    const type = resp.headers()['content-type'] || '';
    if (type.includes('application/json')) {
      try {
        const path = new URL(url).pathname;
        log.bodies[path] = await resp.json();
      } catch {
        // A body that is gone (navigation) is no body.
      }
    }
  });
  p.on('requestfailed', (r) => log.failed.push({ url: r.url(), failure: r.failure() ? r.failure().errorText : '' }));
  p.on('console', (m) => log.console.push({ type: m.type(), text: m.text(), url: m.location().url || '' }));
  p.on('pageerror', (e) => log.pageErrors.push(String(e && e.stack ? e.stack : e)));
}

async function open({ width = 1280, height = 800, permissions = [], initScript = null }) {
  if (!browser) browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true });
  if (context) await context.close();
  context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  if (permissions.length) await context.grantPermissions(permissions);
  if (initScript) await context.addInitScript(initScript);
  log = freshLog();
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  watch(page);
  return null;
}

const commands = {
  open,
  goto: async ({ url }) => { await page.goto(url, { waitUntil: 'load' }); return page.url(); },
  reload: async () => { await page.reload({ waitUntil: 'load' }); return null; },
  eval: async ({ js }) => page.evaluate(js),
  // Polled from here with page.evaluate (a DevTools evaluation): waitForFunction would
  // evaluate strings inside the page, which the page's CSP rightly forbids.
  wait: async ({ js, timeout = 15000 }) => {
    const end = Date.now() + timeout;
    for (;;) {
      const v = await page.evaluate(js);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for: ${js}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  },
  click: async ({ selector }) => { await page.click(selector); return null; },
  fill: async ({ selector, value }) => { await page.fill(selector, value); return null; },
  check: async ({ selector, checked = true }) => { await page.setChecked(selector, checked); return null; },
  select: async ({ selector, value }) => { await page.selectOption(selector, value); return null; },
  press: async ({ key }) => { await page.keyboard.press(key); return null; },
  text: async ({ selector }) => page.innerText(selector),
  focused: async () => page.evaluate(() => {
    const a = document.activeElement;
    return a ? (a.id || a.tagName.toLowerCase()) : null;
  }),
  viewport: async ({ width, height }) => { await page.setViewportSize({ width, height }); return null; },
  screenshot: async ({ path, fullPage = true }) => { await page.screenshot({ path, fullPage }); return path; },
  log: async () => log,
  body: async ({ path }) => (path in log.bodies ? log.bodies[path] : null),
  clearLog: async () => { log = { ...freshLog(), bodies: log.bodies }; return null; },
  close: async () => {
    if (browser) await browser.close();
    browser = null;
    return null;
  },
};

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  let answer;
  try {
    const msg = JSON.parse(line);
    const fn = commands[msg.cmd];
    if (!fn) throw new Error(`unknown command ${msg.cmd}`);
    answer = { ok: true, value: (await fn(msg)) ?? null };
  } catch (e) {
    answer = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
if (browser) await browser.close();
