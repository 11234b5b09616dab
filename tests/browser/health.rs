//! The Storage Operations Health panel in Chromium: its numbers are `/health`'s at the
//! same moment, it follows the error rate to 🟡 and 🔴 on its own (short refresh
//! interval), lists every operation type seen, and shows a visible error state when
//! the server goes away.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::Value;

use crate::driver::Browser;
use crate::server::{Options, TestServer, demo_tenant};

/// Operations of every type the gateway and tools have, all successful; returns the
/// count per operation type, as the test made them.
fn storage_traffic(s: &TestServer) -> BTreeMap<&'static str, u64> {
    let plan: [(&str, Method, &str, u64); 8] = [
        ("LIST_BUCKETS", Method::GET, "/tools/buckets", 3),
        (
            "LIST_OBJECTS",
            Method::GET,
            "/tools/list-all?bucket=demo-assets",
            4,
        ),
        (
            "ANALYZE_STORAGE",
            Method::GET,
            "/tools/storage-summary?bucket=demo-assets",
            2,
        ),
        (
            "ANALYZE_STORAGE",
            Method::GET,
            "/tools/top-largest?bucket=demo-assets",
            2,
        ),
        (
            "GET_OBJECT",
            Method::GET,
            "/s3/demo-assets/images/logo.png",
            5,
        ),
        (
            "PUT_OBJECT",
            Method::PUT,
            "/s3/demo-assets/uploads/browser.txt",
            2,
        ),
        (
            "HEAD_OBJECT",
            Method::HEAD,
            "/s3/demo-assets/images/logo.png",
            2,
        ),
        (
            "DELETE_OBJECT",
            Method::DELETE,
            "/s3/demo-assets/uploads/browser.txt",
            1,
        ),
    ];
    let mut made = BTreeMap::new();
    for (op, method, path, n) in plan {
        for _ in 0..n {
            let status = s.send(method.clone(), path, demo_tenant());
            assert!((200..300).contains(&status), "{method} {path}: {status}");
        }
        *made.entry(op).or_insert(0) += n;
    }
    made
}

/// `n` failed LIST_OBJECTS operations (a bucket the tenant does not have: 404).
fn errors(s: &TestServer, n: u64) {
    for _ in 0..n {
        assert_eq!(
            s.get("/tools/list-all?bucket=no-such-bucket", demo_tenant()),
            404
        );
    }
}

fn refresh_count(b: &mut Browser) -> u64 {
    b.eval("Number(document.getElementById('health').dataset.refreshCount)")
        .as_u64()
        .unwrap()
}

/// Clicks Refresh and waits for the panel to have read `/health` again.
fn refresh(b: &mut Browser) {
    let before = refresh_count(b);
    b.click("#health-refresh");
    b.wait(&format!(
        "Number(document.getElementById('health').dataset.refreshCount) > {before}"
    ));
}

/// The panel's raw numbers (`data-value`) by `/health` key.
fn panel(b: &mut Browser) -> BTreeMap<String, f64> {
    let v = b.eval(
        "(() => { const ids = {operations_per_second: 'm-ops', total_operations_5m: 'm-total',
          error_rate_percent: 'm-error-rate', error_operations_5m: 'm-errors',
          bytes_per_second: 'm-bps', total_bytes_transferred_5m: 'm-bytes',
          latency_p50_ms: 'm-p50', latency_p95_ms: 'm-p95', latency_p99_ms: 'm-p99'};
          return Object.fromEntries(Object.entries(ids).map(([k, id]) =>
            [k, document.getElementById(id).dataset.value])); })()",
    );
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().parse().unwrap()))
        .collect()
}

/// The breakdown table: operation → its cells' raw values.
fn breakdown(b: &mut Browser) -> BTreeMap<String, Vec<f64>> {
    let v = b.eval(
        "[...document.querySelectorAll('#breakdown tbody tr')].map(tr =>
          [tr.dataset.operation, [...tr.querySelectorAll('td')].map(td => td.dataset.value)])",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let cells = row[1].as_array().unwrap();
            (
                row[0].as_str().unwrap().to_string(),
                cells
                    .iter()
                    .map(|c| c.as_str().unwrap().parse().unwrap())
                    .collect(),
            )
        })
        .collect()
}

/// The panel equals `/health` read now, key by key and row by row.
fn assert_panel_is_health(b: &mut Browser, s: &TestServer) -> Value {
    let shown = panel(b);
    let health = s.json("/health", Default::default());
    let m = &health["storage_metrics"];
    for (k, v) in &shown {
        assert_eq!(Some(*v), m[k].as_f64(), "{k}: panel {v}, /health {}", m[k]);
    }
    let rows = breakdown(b);
    let want = m["operation_breakdown"].as_object().unwrap();
    let mut keys: Vec<&String> = want.keys().collect();
    keys.sort();
    assert_eq!(rows.keys().collect::<Vec<_>>(), keys);
    for (op, cells) in &rows {
        let w = &want[op];
        let keys = [
            "request_count",
            "error_count",
            "error_rate_percent",
            "bytes_transferred",
            "avg_latency_ms",
            "p95",
        ];
        let expected: Vec<f64> = keys.iter().map(|k| w[k].as_f64().unwrap()).collect();
        assert_eq!(cells, &expected, "{op}");
    }
    health
}

fn status(b: &mut Browser) -> (String, String) {
    let v = b.eval(
        "(() => { const s = document.getElementById('health-status');
          return [s.dataset.status, s.textContent.replace(/\\s+/g, ' ').trim()]; })()",
    );
    (
        v[0].as_str().unwrap().to_string(),
        v[1].as_str().unwrap().to_string(),
    )
}

/// The page's number formats, as a person writes them.
fn assert_people_numbers(b: &mut Browser) {
    let cases: [(&str, &str); 25] = [
        ("bytes(0)", "0 B"),
        ("bytes(999)", "999 B"),
        ("bytes(1000)", "1 KB"),
        ("bytes(999999)", "1 MB"),
        ("bytes(1234567)", "1.23 MB"),
        ("bytes(1.2e9)", "1.2 GB"),
        ("bytes(4011008)", "4.01 MB"),
        ("bytesPerSecond(2500)", "2.5 KB/s"),
        ("ms(0)", "0 ms"),
        ("ms(0.42)", "420 µs"),
        ("ms(3.4)", "3.4 ms"),
        ("ms(12.345)", "12.3 ms"),
        ("ms(1250)", "1.25 s"),
        ("ms(150000)", "2.5 min"),
        ("ms(null)", "–"),
        ("rate(0)", "0"),
        ("rate(0.004)", "<0.01"),
        ("rate(0.3456)", "0.35"),
        ("rate(1234)", "1.23k"),
        ("percent(0)", "0 %"),
        ("percent(0.0000078)", "<0.01 %"),
        ("percent(4.7619)", "4.76 %"),
        ("percent(16.6667)", "16.7 %"),
        ("count(12345)", "12,345"),
        ("interval(120)", "2 min"),
    ];
    let exprs: Vec<String> = cases.iter().map(|(e, _)| format!("f.{e}")).collect();
    let got = b.eval(&format!(
        "import('/static/format.js').then(f => [{}])",
        exprs.join(", ")
    ));
    for (i, (expr, want)) in cases.iter().enumerate() {
        assert_eq!(got[i], *want, "{expr}");
    }
}

#[test]
#[ignore = "needs chromium"]
fn the_panel_shows_health_follows_the_error_rate_and_refreshes_itself() {
    let mut s = TestServer::start(Options {
        refresh_sec: 1,
        ..Options::default()
    });
    let mut b = Browser::start();
    b.open(1280, 800);
    b.goto(&s.url("/"));
    b.wait("Number(document.getElementById('health').dataset.refreshCount) >= 1");
    assert_people_numbers(&mut b);
    // No operations yet: the empty state, healthy, no table.
    assert!(
        !b.eval("document.getElementById('health-empty').hidden")
            .as_bool()
            .unwrap()
    );
    assert!(
        b.eval("document.getElementById('breakdown-wrap').hidden")
            .as_bool()
            .unwrap()
    );
    assert_eq!(status(&mut b), ("healthy".into(), "🟢 Healthy".into()));

    let made = storage_traffic(&s);
    refresh(&mut b);
    let health = assert_panel_is_health(&mut b, &s);
    // The breakdown lists exactly the types the test made, with the test's counts.
    let rows = breakdown(&mut b);
    let counted: BTreeMap<&str, u64> = rows
        .iter()
        .map(|(k, c)| (k.as_str(), c[0] as u64))
        .collect();
    assert_eq!(counted, made);
    let total: u64 = made.values().sum();
    assert_eq!(health["storage_metrics"]["total_operations_5m"], total);
    assert_eq!(b.text("#m-total"), total.to_string());
    assert!(
        b.eval("document.getElementById('health-empty').hidden")
            .as_bool()
            .unwrap()
    );

    // Over 5 %: degraded, seen by the automatic refresh (no click from here on).
    let before = refresh_count(&mut b);
    errors(&s, 2);
    let rate = 2.0 * 100.0 / (total + 2) as f64;
    assert!(rate > 5.0 && rate <= 10.0);

    let shown = b.wait_ms(
        "document.getElementById('health-status').dataset.status === 'degraded'
           && document.getElementById('health-status').textContent.replace(/\\s+/g, ' ').trim()",
        5000,
    );
    assert_eq!(shown, "🟡 Degraded");
    assert!(
        refresh_count(&mut b) > before,
        "the panel refreshed on its own"
    );
    assert_eq!(b.text("#m-error-rate"), format!("{rate:.2} %"));
    assert_panel_is_health(&mut b, &s);

    // Over 10 %: unhealthy.
    errors(&s, 2);
    let rate = 4.0 * 100.0 / (total + 4) as f64;
    assert!(rate > 10.0);
    let shown = b.wait_ms(
        "document.getElementById('health-status').dataset.status === 'unhealthy'
           && document.getElementById('health-status').textContent.replace(/\\s+/g, ' ').trim()",
        5000,
    );
    assert_eq!(shown, "🔴 Unhealthy");
    assert_eq!(b.text("#m-error-rate"), format!("{rate:.1} %"));
    let h = assert_panel_is_health(&mut b, &s);
    assert_eq!(h["status"], "unhealthy");
    let refreshed = b.text("#health-refreshed");
    assert!(
        refreshed.len() == 8 && refreshed.contains(':'),
        "{refreshed}"
    );
    b.screenshot("dashboard-health-1280x800");
    b.viewport(390, 844);
    b.screenshot("dashboard-health-390x844");
    // The page only read what it needed, from this server, without a console error.
    b.log().assert_clean(&s.base, &[]);

    // The server goes away: a visible error state; the last figures stay, marked stale.
    s.stop();
    let alert = b.wait_ms(
        "!document.getElementById('health-error').hidden
           && document.getElementById('health-error').innerText",
        5000,
    );
    let alert = alert.as_str().unwrap();
    assert!(
        alert.contains("Cannot reach the SpaceWatch server"),
        "{alert}"
    );
    assert!(
        alert.contains(&refreshed) || alert.contains("figures below are from"),
        "{alert}"
    );
    assert!(
        b.eval("document.getElementById('health').classList.contains('stale')")
            .as_bool()
            .unwrap()
    );
    assert_eq!(b.text("#m-total"), (total + 4).to_string());
    b.screenshot("dashboard-unreachable-390x844");
}
