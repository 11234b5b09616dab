//! The credentials dialog and the storage panels in Chromium: credentials are checked
//! before they are kept, kept in sessionStorage unless "remember" (then localStorage
//! only), sent as the SPEC §1 headers; a wrong secret shows the server's error; the
//! bucket listing, summary and largest objects match the store itself; the threshold
//! alert warns and notifies; the trend charts hold the points of `/metrics/series` and
//! `/metrics/top-ips` (the demo's snapshots), or say which bucket to name; the chat is
//! disabled without an agent.

use serde_json::Value;
use spacewatch::config::{DEMO_KEY, DEMO_SECRET};
use spacewatch::demo::{DEMO_BUCKETS, DEMO_LOG_BUCKET};

use crate::driver::Browser;
use crate::server::{Options, TestServer};

const STORED: &str = "(() => ({
    session: sessionStorage.getItem('spacewatch.credentials'),
    local: localStorage.getItem('spacewatch.credentials') }))()";

/// What the store itself holds in a bucket (`demo-assets` unless said), read with the
/// SDK, not through SpaceWatch.
struct Truth {
    count: u64,
    total_bytes: u64,
    largest: String,
}

fn truth(s: &TestServer) -> Truth {
    truth_of(s, "demo-assets")
}

fn truth_of(s: &TestServer, bucket: &str) -> Truth {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let store = s.store.as_ref().unwrap();
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(store.endpoint())
        .credentials_provider(Credentials::new(DEMO_KEY, DEMO_SECRET, None, None, "test"))
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(conf);
    let out =
        s.rt.block_on(client.list_objects_v2().bucket(bucket).send())
            .expect("list");
    let objects = out.contents();
    let largest = objects.iter().max_by_key(|o| o.size()).unwrap();
    Truth {
        count: objects.len() as u64,
        total_bytes: objects.iter().map(|o| o.size().unwrap_or(0) as u64).sum(),
        largest: largest.key().unwrap().to_string(),
    }
}

fn stored(b: &mut Browser) -> (Option<Value>, Option<Value>) {
    let v = b.eval(STORED);
    let parse = |x: &Value| {
        x.as_str()
            .map(|s| serde_json::from_str::<Value>(s).unwrap())
    };
    (parse(&v["session"]), parse(&v["local"]))
}

fn dialog_open(b: &mut Browser) -> bool {
    b.eval("document.getElementById('config-dialog').open")
        .as_bool()
        .unwrap()
}

/// Waits for the listing of `demo-assets` and checks it against the store.
fn assert_listing(b: &mut Browser, t: &Truth) {
    b.wait("document.getElementById('listing-count').dataset.count");
    let picker: Vec<String> = serde_json::from_value(
        b.eval("[...document.querySelectorAll('#bucket-picker option')].map(o => o.value)"),
    )
    .unwrap();
    let mut want: Vec<String> = DEMO_BUCKETS.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(picker, want);
    assert_eq!(
        b.eval("document.getElementById('bucket-picker').value"),
        "demo-assets"
    );
    let count = b.eval("Number(document.getElementById('listing-count').dataset.count)");
    assert_eq!(count, t.count);
    let rows = b.eval("document.querySelectorAll('#listing tbody tr').length");
    assert_eq!(rows, t.count);
    assert_eq!(
        b.text("#listing-count"),
        format!("{} objects, 4.01 MB in all.", t.count)
    );
    b.wait("document.getElementById('s-bytes').dataset.value");
    assert_eq!(
        b.eval("Number(document.getElementById('s-objects').dataset.value)"),
        t.count
    );
    assert_eq!(
        b.eval("Number(document.getElementById('s-bytes').dataset.value)"),
        t.total_bytes
    );
    b.wait("document.querySelector('#top-largest tbody tr .key')");
    assert_eq!(b.text("#top-largest tbody tr .key"), t.largest);
}

#[test]
#[ignore = "needs chromium"]
fn credentials_are_checked_kept_by_the_rules_and_list_the_bucket() {
    let s = TestServer::start(Options::default());
    let t = truth(&s);
    assert_eq!(t.total_bytes, 4_011_008, "the demo seed");
    let mut b = Browser::start();
    // Notifications are allowed; the page's calls to Notification are recorded.
    b.open_with(
        1280,
        800,
        &["notifications"],
        "window.__notes = []; const Real = window.Notification;
         window.Notification = class extends Real {
           constructor(title, options) { super(title, options); window.__notes.push([title, options.body]); }
         };",
    );
    b.goto(&s.url("/config"));
    b.wait("document.body.dataset.ready");
    assert!(dialog_open(&mut b), "/config opens the dialog");
    assert!(
        !b.eval("document.getElementById('demo-offer').hidden")
            .as_bool()
            .unwrap()
    );

    // A wrong secret: the server's reason is shown, nothing is stored.
    b.fill("#cfg-key", DEMO_KEY);
    b.fill("#cfg-secret", "not-the-secret");
    b.click("#cfg-save");
    let error = b.wait("!document.getElementById('config-error').hidden && document.getElementById('config-error').innerText");
    let error = error.as_str().unwrap();
    assert!(
        error.contains("not accepted") && error.contains("signature does not match"),
        "{error}"
    );
    assert!(error.contains("HTTP 401"), "{error}");
    assert_eq!(stored(&mut b), (None, None));
    assert!(dialog_open(&mut b));

    // The right one, not remembered: sessionStorage only, sent as headers.
    b.fill("#cfg-secret", DEMO_SECRET);
    b.fill("#cfg-log-bucket", DEMO_LOG_BUCKET);
    b.fill("#cfg-metrics-prefix", "sw-metrics/");
    b.click("#cfg-save");
    b.wait("!document.getElementById('config-dialog').open");
    let (session, local) = stored(&mut b);
    let session = session.expect("kept in sessionStorage");
    assert_eq!(
        (session["key"].as_str(), session["secret"].as_str()),
        (Some(DEMO_KEY), Some(DEMO_SECRET))
    );
    assert_eq!(local, None, "not in localStorage without 'remember'");
    assert_listing(&mut b, &t);
    let log = b.log();
    let listing = log.to(&s.base, "/tools/list-all?bucket=demo-assets");
    assert_eq!(listing.len(), 1);
    let h = &listing[0]["headers"];
    assert_eq!(h["x-spaces-key"], DEMO_KEY);
    assert_eq!(h["x-spaces-secret"], DEMO_SECRET);
    assert_eq!(h["x-log-bucket"], DEMO_LOG_BUCKET);
    assert_eq!(h["x-metrics-prefix"], "sw-metrics/");
    assert!(h.get("x-endpoint").is_none(), "empty fields are not sent");
    // Health and pages get no credentials; no URL carries the secret.
    for r in log.requests() {
        let url = r["url"].as_str().unwrap();
        assert!(!url.contains(DEMO_SECRET), "{url}");
        if url.ends_with("/health") || url.contains("/static/") {
            assert!(r["headers"].get("x-spaces-secret").is_none(), "{url}");
        }
    }
    // No metrics bucket named: the page says what to set, and does not ask.
    let trends = b.wait("document.getElementById('trends').dataset.state");
    assert_eq!(trends, "unset");
    assert!(b.text("#trends-message").contains("Name a metrics bucket"));
    assert!(b.log().to(&s.base, "/metrics/series").is_empty());
    // The top-IPs read (a log bucket is named) is a QUERY_LOGS operation, and the health
    // panel refreshes after it without waiting for its 30 s.
    b.wait("!document.getElementById('chart-top-ips').hidden");
    b.wait("document.querySelector('#breakdown tr[data-operation=QUERY_LOGS]')");
    assert!(
        b.eval("document.getElementById('trends-error').hidden")
            .as_bool()
            .unwrap()
    );
    // No agent: the chat is disabled, with the reason.
    assert!(
        b.eval("document.getElementById('chat-input').disabled")
            .as_bool()
            .unwrap()
    );
    assert!(b.text("#chat-disabled").contains("not configured"));

    // The threshold alert: 4.01 MB against 5 MB (80.2 %) warns; against 4 MB, exceeded.
    b.fill("#threshold-tb", "0.000005");
    b.fill("#threshold-warn", "80");
    assert_eq!(
        b.eval("document.getElementById('threshold-state').dataset.state"),
        "warning"
    );
    let pct = t.total_bytes as f64 * 100.0 / 5e6;
    let state = b.text("#threshold-state");
    assert!(
        state.contains(&format!("{pct:.1} % of 0.000005 TB")),
        "{state}"
    );
    b.fill("#threshold-tb", "0.000004");
    assert_eq!(
        b.eval("document.getElementById('threshold-state').dataset.state"),
        "exceeded"
    );
    let notes = b.eval("window.__notes");
    assert_eq!(notes.as_array().unwrap().len(), 2, "{notes}");
    assert!(notes[1][1].as_str().unwrap().contains("Over the threshold"));
    b.screenshot("dashboard-storage-1280x800");
    b.viewport(390, 844);
    b.screenshot("dashboard-storage-390x844");
    b.viewport(1280, 800);

    // A reload in the same tab keeps the session.
    b.reload();
    b.wait("document.body.dataset.ready");
    assert!(b.text("#account-label").starts_with("Key SPAC…Y000"));
    assert_listing(&mut b, &t);

    // Remembered: localStorage only.
    b.click("#open-config");
    assert!(dialog_open(&mut b));
    assert_eq!(b.eval("document.getElementById('cfg-key').value"), DEMO_KEY);
    b.check("#cfg-remember", true);
    b.click("#cfg-save");
    b.wait("!document.getElementById('config-dialog').open");
    let (session, local) = stored(&mut b);
    assert_eq!(session, None);
    assert_eq!(local.expect("remembered")["key"], DEMO_KEY);
    // Forget clears both.
    b.click("#open-config");
    b.click("#cfg-forget");
    assert_eq!(stored(&mut b), (None, None));
    b.press("Escape");
    b.wait("document.getElementById('bucket-picker').disabled");
    // The page's only failure was the wrong secret (401); nothing off this server.
    b.log().assert_clean(&s.base, &[401]);
}

/// The demo tenant's headers, with the buckets the demo offer fills in.
fn demo_headers() -> reqwest::header::HeaderMap {
    let mut h = crate::server::demo_tenant();
    for (k, v) in [
        ("X-Log-Bucket", DEMO_LOG_BUCKET),
        ("X-Log-Prefix", spacewatch::demo::DEMO_LOG_PREFIX),
        ("X-Metrics-Bucket", DEMO_BUCKETS[2]),
    ] {
        h.insert(k, v.parse().unwrap());
    }
    h
}

/// A chart's data table: per row, the raw values (`data-value`) of its cells.
fn chart_rows(b: &mut Browser, id: &str) -> Vec<Vec<Value>> {
    serde_json::from_value(b.eval(&format!(
        "[...document.querySelectorAll('#{id} .chart-data tbody tr')].map(tr =>
           [...tr.querySelectorAll('td')].map(td => td.dataset.value ?? null))"
    )))
    .unwrap()
}

/// The trend charts hold exactly the points `/metrics/series` gives, and the top-IPs
/// chart the list `/metrics/top-ips` gives (the server's clock stands still).
fn assert_trends(b: &mut Browser, s: &TestServer) {
    assert_eq!(
        b.wait("document.getElementById('trends').dataset.state"),
        "charts"
    );
    let series = s.json(
        "/metrics/series?source_bucket=demo-assets&hours=168",
        demo_headers(),
    );
    let points = series["points"].as_array().unwrap();
    assert_eq!(points.len(), 72, "the demo seeds 72 hourly snapshots");
    let num = |v: &Value| v.as_str().map(|x| x.parse::<f64>().unwrap());
    let charts: [(&str, &[&str]); 6] = [
        ("chart-objects", &["source_objects"]),
        ("chart-bytes", &["source_bytes"]),
        ("chart-requests", &["requests_total"]),
        ("chart-errors", &["4xx", "5xx"]),
        ("chart-bandwidth", &["bytes_sent"]),
        ("chart-ips", &["unique_ips"]),
    ];
    for (id, keys) in charts {
        let rows = chart_rows(b, id);
        assert_eq!(rows.len(), points.len(), "{id}");
        for (row, p) in rows.iter().zip(points) {
            let at = row[0].as_str().unwrap().replace(".000Z", "Z");
            assert_eq!(at, p["timestamp"].as_str().unwrap(), "{id}");
            for (cell, k) in row[1..].iter().zip(keys) {
                let want = p.get(*k).or_else(|| p["by_status_class"].get(*k));
                assert_eq!(num(cell), want.and_then(Value::as_f64), "{id} {k} at {at}");
            }
        }
    }
    let top = s.json(
        "/metrics/top-ips?source_bucket=demo-assets&limit=10",
        demo_headers(),
    );
    let want: Vec<(String, String)> = top["top_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["ip"].as_str().unwrap().into(),
                format!("{} req", t["requests"]),
            )
        })
        .collect();
    assert!(!want.is_empty());
    let shown: Vec<(String, String)> = serde_json::from_value(b.eval(
        "[...document.querySelectorAll('#chart-top-ips .bar-list li')].map(li =>
           [li.querySelector('.bar-label').textContent, li.querySelector('.bar-value').textContent])",
    ))
    .unwrap();
    let shown: Vec<(String, String)> = shown
        .into_iter()
        .map(|(ip, n)| (ip, n.replace(',', "")))
        .collect();
    assert_eq!(shown, want);
}

#[test]
#[ignore = "needs chromium"]
fn demo_credentials_take_one_click_and_the_keyboard_reaches_everything() {
    let s = TestServer::start(Options::default());
    let t = truth(&s);
    let mut b = Browser::start();
    b.open(390, 844);
    b.goto(&s.url("/"));
    b.wait("document.body.dataset.ready");
    assert!(
        !b.eval("document.getElementById('demo-badge').hidden")
            .as_bool()
            .unwrap()
    );
    // Keyboard only: Tab from the top reaches "Connect storage"; Enter opens the
    // dialog with "Use demo credentials" focused; Enter again connects.
    let mut reached = false;
    for _ in 0..10 {
        b.press("Tab");
        if b.focused() == "open-config" {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the Connect button");
    b.press("Enter");
    assert!(dialog_open(&mut b));
    assert_eq!(b.focused(), "use-demo");
    b.press("Enter");
    b.wait("!document.getElementById('config-dialog').open");
    let (session, local) = stored(&mut b);
    assert_eq!(session.expect("stored")["secret"], DEMO_SECRET);
    assert_eq!(local, None);
    assert_listing(&mut b, &t);
    assert_trends(&mut b, &s);
    b.screenshot("dashboard-trends-390x844");
    // The bucket picker works from the keyboard too.
    b.call(serde_json::json!({"cmd": "eval", "js": "document.getElementById('bucket-picker').focus()"}));
    b.press("ArrowDown");
    let logs = truth_of(&s, DEMO_LOG_BUCKET);
    b.wait(&format!(
        "document.getElementById('listing-count').dataset.count === '{}'",
        logs.count
    ));
    assert_eq!(
        b.eval("document.getElementById('bucket-picker').value"),
        "demo-logs"
    );
    b.screenshot("dashboard-demo-logs-390x844");
    b.log().assert_clean(&s.base, &[]);
}
