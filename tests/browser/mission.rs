//! Mission Control in Chromium: the admin key asked once (kept in sessionStorage), the
//! numbers of the traffic the test made minute by minute, the event it provoked, and a
//! chart that can be read with the keyboard.

use spacewatch::mission::minute_of;
use spacewatch::telemetry::{Clock, UnixTime};

use crate::driver::Browser;
use crate::server::{ADMIN_KEY, Options, TestServer, demo_tenant};

/// A storage endpoint where nothing listens: every gateway call is a 502.
fn closed_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

fn data_value(b: &mut Browser, id: &str) -> f64 {
    b.eval(&format!("document.getElementById('{id}').dataset.value"))
        .as_str()
        .unwrap_or_else(|| panic!("#{id} has no value"))
        .parse()
        .unwrap()
}

#[test]
#[ignore = "needs chromium"]
fn mission_control_shows_the_traffic_and_the_event_the_test_made() {
    let s = TestServer::start(Options {
        admin_key: true,
        endpoint: Some(closed_endpoint()),
        ..Options::default()
    });
    let m0 = minute_of(s.clock.now());
    let at = |k: u64| s.clock.set(UnixTime::from_secs((m0 + k) * 60 + 7));
    // Minutes 0–5: 20 health checks each. Minute 6: 33 more and 7 gateway calls that
    // fail upstream (502): traffic ×2, and a 5xx rate of 7 / 120 over five minutes.
    let (mut baseline, mut minute6) = (Vec::new(), Vec::new());
    for k in 0..=6 {
        at(k);
        let into = if k < 6 { &mut baseline } else { &mut minute6 };
        for _ in 0..if k < 6 { 20 } else { 33 } {
            let (status, ms) = s.get_timed("/health", Default::default());
            assert_eq!(status, 200);
            into.push(ms);
        }
    }
    for _ in 0..7 {
        let (status, ms) = s.get_timed("/s3/", demo_tenant());
        assert_eq!(status, 502);
        minute6.push(ms);
    }
    // Whether minute 6 is also a latency spike depends on how long an unreachable
    // upstream takes to fail: decided by the rule, on the durations the server reported.
    let p95 = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[(95 * v.len()).div_ceil(100).max(1) - 1]
    };
    let ratio = p95(&mut minute6) / p95(&mut baseline);
    let latency_spike = (ratio >= 2.0).then_some(ratio);
    at(7);

    let mut b = Browser::start();
    b.open(1280, 800);
    b.goto(&s.url("/admin"));
    // No key yet: the server answers 401 and the page asks for one.
    b.wait("document.getElementById('key-dialog').open");
    assert_eq!(b.focused(), "key-input");
    b.fill("#key-input", "not-the-admin-key");
    b.press("Enter");
    let refused = b.wait("document.getElementById('key-dialog').open && !document.getElementById('key-error').hidden && document.getElementById('key-error').innerText");
    assert!(refused.as_str().unwrap().contains("refused"), "{refused}");
    b.fill("#key-input", ADMIN_KEY);
    b.press("Enter");
    b.wait("Number(document.getElementById('mission').dataset.refreshCount) >= 1");
    let keys = b.eval("[sessionStorage.getItem('spacewatch.admin-key'), localStorage.getItem('spacewatch.admin-key')]");
    assert_eq!(keys, serde_json::json!([ADMIN_KEY, null]));

    // The figures of the complete minutes are the test's own traffic, exactly.
    assert_eq!(data_value(&mut b, "mc-rpm1"), 40.0);
    assert_eq!(data_value(&mut b, "mc-rpm5"), 120.0 / 5.0);
    assert_eq!(data_value(&mut b, "mc-5xx"), 5.8333);
    assert_eq!(data_value(&mut b, "mc-4xx"), 0.0);
    assert_eq!(data_value(&mut b, "mc-clients"), 1.0);
    assert_eq!(b.text("#mc-5xx"), "5.83 %");
    let status = b
        .eval("document.getElementById('mission-status').textContent.replace(/\\s+/g, ' ').trim()");
    assert_eq!(status, "🟡 Degraded");
    // And they are what the endpoint said.
    let api = b.body("/admin/api/mission-control");
    assert_eq!(api["requests"]["last_1m"], 40);
    assert_eq!(
        data_value(&mut b, "mc-p95"),
        api["latency_ms"]["p95"].as_f64().unwrap()
    );
    assert_eq!(
        data_value(&mut b, "mc-p50"),
        api["latency_ms"]["p50"].as_f64().unwrap()
    );
    assert_eq!(
        data_value(&mut b, "mc-current"),
        api["requests"]["current_minute"].as_f64().unwrap()
    );
    let top = b.eval("[...document.querySelectorAll('#routes-top tbody tr')].map(tr => [tr.dataset.route, tr.querySelector('td').dataset.value])");
    assert_eq!(
        top,
        serde_json::json!([["GET /health", "153"], ["GET /s3/", "7"]])
    );
    let most = b
        .eval("[...document.querySelectorAll('#routes-5xx tbody tr')].map(tr => tr.dataset.route)");
    assert_eq!(most, serde_json::json!(["GET /s3/"]));

    // The provoked events, newest first, with their words.
    let events = b.eval("[...document.querySelectorAll('#events li')].map(li => [li.dataset.kind, li.querySelector('.event-text').textContent])");
    let events: Vec<(String, String)> = serde_json::from_value(events).unwrap();
    let rise = events
        .iter()
        .find(|(k, _)| k == "error_rate_rise")
        .expect("the 5xx event");
    assert_eq!(rise.1, "5xx rate rose above 5 % (5.83 % over 5 min)");
    let spike = events
        .iter()
        .find(|(k, _)| k == "traffic_spike")
        .expect("the traffic spike");
    assert_eq!(
        spike.1,
        "Traffic spike: 40 requests/min, 2.0× the baseline of 20.0/min"
    );
    let slow = events.iter().any(|(k, _)| k == "latency_spike");
    match latency_spike {
        // Within the sketch's 1 % of the boundary, either answer is right.
        Some(r) if r < 2.05 => {}
        Some(_) => assert!(slow, "p95 ×{ratio:.1}: {events:?}"),
        None if ratio > 1.95 => {}
        None => assert!(!slow, "p95 ×{ratio:.1}: {events:?}"),
    }
    assert_eq!(events.len(), 2 + usize::from(slow), "{events:?}");

    // The chart, by keyboard: End is the last complete minute, ← the one before.
    b.eval("document.querySelector('#chart-requests svg').focus()");
    b.press("End");
    let last = b.text("#chart-requests .readout");
    assert!(last.ends_with("OK (1xx–3xx) 33, 4xx 0, 5xx 7"), "{last}");
    b.press("ArrowLeft");
    let before = b.text("#chart-requests .readout");
    assert!(
        before.ends_with("OK (1xx–3xx) 20, 4xx 0, 5xx 0"),
        "{before}"
    );
    let table_rows =
        b.eval("document.querySelectorAll('#chart-requests .chart-data tbody tr').length");
    assert_eq!(table_rows, 60);

    b.screenshot("mission-control-1280x800");
    b.viewport(390, 844);
    b.screenshot("mission-control-390x844");
    b.log().assert_clean(&s.base, &[401]);
}
