//! Mission Control's endpoints against the traffic the test made: every route by its
//! template, exact counts, classes, rates and clients; latency within the sketch's 1 %
//! of what the responses' own duration headers say; the per-minute series and the
//! events of a test clock; parameters validated; storage figures untouched.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::config::Secret;
use spacewatch::telemetry::{ManualClock, UnixTime};

use crate::support::{Harness, tenant};

const ADMIN: &str = "mission-admin-key-0123456789";
/// A whole day, so minutes are whole.
const T0: u64 = 1_800_000_000 - 1_800_000_000 % 86_400;

fn admin() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-API-Key", HeaderValue::from_static(ADMIN));
    h
}

async fn start() -> (Harness, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(T0)));
    let h = Harness::start_with(|s| s.api_key = Some(Secret::new(ADMIN)), clock.clone()).await;
    (h, clock)
}

fn at_minute(clock: &ManualClock, m: u64) {
    clock.set(UnixTime::from_secs(T0 + m * 60 + 1));
}

/// A client whose requests come from `127.0.0.n`.
fn client_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap()
}

/// Sends `n` requests, returns the duration headers; checks the status.
async fn send(
    c: &reqwest::Client,
    h: &Harness,
    method: reqwest::Method,
    path: &str,
    headers: HeaderMap,
    status: u16,
    n: usize,
) -> Vec<f64> {
    let mut durations = Vec::new();
    for _ in 0..n {
        let r = c
            .request(method.clone(), h.url(path))
            .headers(headers.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        durations.push(
            r.headers()["x-request-duration-ms"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap(),
        );
        r.bytes().await.unwrap();
    }
    durations
}

async fn admin_json(h: &Harness, path: &str) -> Value {
    let r = h.get(path, admin()).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_counted_exactly_under_its_template() {
    let (h, clock) = start().await;
    let (c1, c2, c3) = (client_from(1), client_from(2), client_from(3));
    use reqwest::Method as M;
    let none = HeaderMap::new;
    // (method, template, path, client, headers, status, count)
    let health = send(&c1, &h, M::GET, "/health", none(), 200, 5).await;
    send(&c2, &h, M::GET, "/metrics", none(), 200, 3).await;
    send(&c2, &h, M::GET, "/", none(), 200, 2).await;
    send(&c3, &h, M::GET, "/tools/buckets", tenant(), 200, 4).await;
    send(
        &c3,
        &h,
        M::GET,
        "/tools/list-all?bucket=nope",
        tenant(),
        404,
        2,
    )
    .await;
    send(&c3, &h, M::GET, "/no/such/path-9d2", none(), 404, 3).await;
    send(
        &c3,
        &h,
        M::GET,
        "/admin/api/mission-control",
        none(),
        401,
        2,
    )
    .await;
    send(&c1, &h, M::POST, "/health", none(), 405, 1).await;
    // In the minute itself, only "so far" (22 requests; this one is counted after it).
    let v = admin_json(&h, "/admin/api/mission-control").await;
    assert_eq!(v["requests"]["current_minute"], 22);
    assert_eq!(v["requests"]["last_1m"], 0);
    let want: BTreeMap<(&str, &str), u64> = [
        (("GET", "/health"), 5),
        (("GET", "/metrics"), 3),
        (("GET", "/"), 2),
        (("GET", "/tools/buckets"), 4),
        (("GET", "/tools/list-all"), 2),
        // The 404s of no route and the 405 share one key.
        (("*", "<unmatched>"), 4),
        (("GET", "/admin/api/mission-control"), 3),
    ]
    .into();
    let total: u64 = want.values().sum();
    assert_eq!(total, 23);

    at_minute(&clock, 1);
    let v = admin_json(&h, "/admin/api/mission-control").await;
    assert_eq!(v["requests"]["last_1m"], total);
    assert_eq!(v["requests"]["last_5m"], total);
    assert_eq!(v["requests"]["per_minute_5m"], total as f64 / 5.0);
    assert_eq!(
        v["requests"]["current_minute"], 0,
        "this call is not counted yet"
    );
    let classes = &v["status_classes_5m"];
    assert_eq!(
        (
            classes["2xx"].as_u64(),
            classes["4xx"].as_u64(),
            classes["5xx"].as_u64()
        ),
        (Some(15), Some(8), Some(0))
    );
    let r4 = |x: f64| (x * 1e4).round() / 1e4;
    assert_eq!(
        v["error_rates_percent"]["4xx"],
        r4(8.0 * 100.0 / total as f64)
    );
    assert_eq!(v["error_rates_percent"]["5xx"], 0.0);
    assert_eq!(v["status"], "healthy");
    assert_eq!(v["unique_clients_30m"], 3);
    // Every key, with its count; ordered by volume, then route, then method.
    let rows = v["routes"]["top_by_volume"].as_array().unwrap();
    let got: BTreeMap<(&str, &str), u64> = rows
        .iter()
        .map(|r| {
            (
                (r["method"].as_str().unwrap(), r["route"].as_str().unwrap()),
                r["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    let mut order: Vec<(u64, &str, &str)> = want.iter().map(|((m, r), n)| (*n, *r, *m)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(b.2)));
    let shown: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["route"].as_str().unwrap(), r["method"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shown,
        order.iter().map(|(_, r, m)| (*r, *m)).collect::<Vec<_>>()
    );
    assert!(v["routes"]["most_5xx"].as_array().unwrap().is_empty());
    let text = v.to_string();
    assert!(
        !text.contains("path-9d2") && !text.contains("nope"),
        "raw paths leaked"
    );

    // Latency: within the sketch's 1 % of the durations the responses reported (plus
    // the few µs between the recording layer and the timing header).
    let mut sorted = health.clone();
    sorted.sort_by(f64::total_cmp);
    let row = rows
        .iter()
        .find(|r| r["route"] == "/health" && r["method"] == "GET")
        .unwrap();
    for (q, key) in [(0.5, "p50_ms"), (0.95, "p95_ms")] {
        // Nearest rank ⌈q·n⌉, in integer arithmetic.
        let rank = ((q * 100.0f64).round() as usize * sorted.len()).div_ceil(100);
        let exact = sorted[rank.max(1) - 1];
        let got = row[key].as_f64().unwrap();
        assert!(
            got >= exact * 0.99 - 0.01 && got <= exact * 1.01 + 0.25,
            "{key}: {got} vs headers {exact}"
        );
    }
    // Storage operations are their own figures: only the six tool calls.
    let health = h.json("/health").await;
    assert_eq!(health["storage_metrics"]["total_operations_5m"], 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_and_events_follow_the_minutes() {
    let (h, clock) = start().await;
    let c = reqwest::Client::new();
    use reqwest::Method as M;
    // Minutes 0–5: 10 health checks; minute 6: silence; minute 7: 9 gateway calls to
    // a stopped store (502). Nine: too few for a latency judgement, so the events are
    // exactly the drop and the 5xx rate, 9 / (30 + 9) over minutes 3–7.
    for m in 0..6 {
        at_minute(&clock, m);
        send(&c, &h, M::GET, "/health", HeaderMap::new(), 200, 10).await;
    }
    h.store.stop();
    at_minute(&clock, 7);
    send(&c, &h, M::GET, "/s3/", tenant(), 502, 9).await;
    at_minute(&clock, 8);

    let v = admin_json(&h, "/admin/api/timeseries?window=10m&resolution=1m").await;
    assert_eq!(
        (v["window"].as_str(), v["resolution"].as_str()),
        (Some("10m"), Some("1m"))
    );
    let points = v["points"].as_array().unwrap();
    let requests: Vec<u64> = points
        .iter()
        .map(|p| p["requests"].as_u64().unwrap())
        .collect();
    assert_eq!(requests, [0, 0, 10, 10, 10, 10, 10, 10, 0, 9]);
    assert_eq!(points[9]["errors_5xx"], 9);
    assert_eq!(points[9]["status_classes"]["5xx"], 9);
    assert_eq!(points[0]["p95_ms"], Value::Null);
    let minute = |m: i64| UnixTime::from_secs((T0 as i64 + m * 60) as u64).to_rfc3339();
    assert_eq!(points[0]["timestamp"], minute(-2));
    assert_eq!(points[9]["timestamp"], minute(7));
    let v = admin_json(&h, "/admin/api/timeseries?window=10m&resolution=5m").await;
    let sums: Vec<u64> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["requests"].as_u64().unwrap())
        .collect();
    assert_eq!(sums, [30, 39]);
    assert_eq!(v["points"][1]["requests_per_minute"], 7.8);

    let v = admin_json(&h, "/admin/api/events?limit=50").await;
    let kinds: Vec<(&str, &str)> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["timestamp"].as_str().unwrap(),
            )
        })
        .collect();
    let (m6, m7) = (minute(6), minute(7));
    assert_eq!(
        kinds,
        [
            ("error_rate_rise", m7.as_str()),
            ("traffic_drop", m6.as_str())
        ]
    );
    let rise = &v["events"][0];
    let rate = (9.0 * 100.0 / 39.0 * 1e4_f64).round() / 1e4;
    assert_eq!(rise["value"], rate);
    assert_eq!(rise["threshold"], 5.0);
    assert_eq!(rise["severity"], "critical");
    assert_eq!(
        rise["message"],
        format!("5xx rate rose above 5 % ({:.2} % over 5 min)", 900.0 / 39.0)
    );
    assert_eq!(v["events"][1]["baseline"], 10.0);
    let v = admin_json(&h, "/admin/api/events?limit=1").await;
    assert_eq!(
        (v["count"].as_u64(), v["total"].as_u64()),
        (Some(1), Some(2))
    );
    // The overview agrees: minutes 3–7 hold 9 5xx of 39.
    let v = admin_json(&h, "/admin/api/mission-control").await;
    assert_eq!(v["error_rates_percent"]["5xx"], rate);
    assert_eq!(v["status"], "unhealthy");
    assert_eq!(v["routes"]["most_5xx"][0]["route"], "/s3/");
    // Hours later the events have aged out.
    clock.advance(Duration::from_secs(200 * 60));
    let v = admin_json(&h, "/admin/api/events").await;
    assert_eq!(v["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_400_and_the_key_is_required() {
    let (h, _) = start().await;
    let cases = [
        (
            "/admin/api/timeseries?window=abc",
            "'window' must be whole minutes or hours",
        ),
        (
            "/admin/api/timeseries?window=3h",
            "'window' must be between 1m and 120m",
        ),
        (
            "/admin/api/timeseries?resolution=7m",
            "'window' must be a multiple of 'resolution'",
        ),
        (
            "/admin/api/timeseries?window=5m&resolution=10m",
            "'resolution' must be between",
        ),
        (
            "/admin/api/timeseries?resolution=%E2%82%AC",
            "'resolution' must be whole minutes",
        ),
        (
            "/admin/api/events?limit=0",
            "'limit' must be an integer between 1 and 500",
        ),
        (
            "/admin/api/events?limit=x",
            "'limit' must be an integer between 1 and 500",
        ),
    ];
    for (path, detail) in cases {
        let r = h.get(path, admin()).await;
        assert_eq!(r.status(), 400, "{path}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["detail"].as_str().unwrap().starts_with(detail),
            "{path}: {v}"
        );
    }
    for path in [
        "/admin/api/mission-control",
        "/admin/api/timeseries",
        "/admin/api/events",
    ] {
        assert_eq!(h.get(path, HeaderMap::new()).await.status(), 401, "{path}");
        assert_eq!(h.get(path, admin()).await.status(), 200, "{path}");
    }
    assert_eq!(h.get("/admin/api/other", admin()).await.status(), 404);
}

/// Issue 18, item 10: an anonymous client sending every method the server does not serve
/// to every GET route (405), and paths no route has (404), fills no route slot: all of
/// it is the one `<unmatched>` key, and the real routes still get theirs afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_404_and_405_paths_share_one_key() {
    let (h, clock) = start().await;
    let c = client_from(7);
    use reqwest::Method as M;
    let templates = [
        "/health",
        "/metrics",
        "/metrics/operations",
        "/logs/operations",
        "/stats",
        "/admin/api/mission-control",
        "/admin/api/timeseries",
        "/admin/api/events",
        "/fleet/operations",
        "/fleet/timeseries",
        "/",
        "/dashboard",
        "/config",
        "/admin",
        "/api/ui-config",
        "/static/app.css",
    ];
    let methods = [M::PUT, M::DELETE, M::PATCH, M::OPTIONS];
    let mut sent = 0;
    for path in templates {
        for m in &methods {
            send(&c, &h, m.clone(), path, HeaderMap::new(), 405, 1).await;
            sent += 1;
        }
    }
    for i in 0..60 {
        send(
            &c,
            &h,
            M::GET,
            &format!("/nope-{i}"),
            HeaderMap::new(),
            404,
            1,
        )
        .await;
        sent += 1;
    }
    assert!(sent > 64, "more distinct pairs than the table has slots");
    // A real route after all that still has its own key.
    send(&c, &h, M::GET, "/health", HeaderMap::new(), 200, 2).await;
    at_minute(&clock, 1);
    let v = admin_json(&h, "/admin/api/mission-control").await;
    let rows = v["routes"]["top_by_volume"].as_array().unwrap();
    let row = |method: &str, route: &str| {
        rows.iter()
            .find(|r| r["method"] == method && r["route"] == route)
            .map(|r| r["requests"].as_u64().unwrap())
    };
    assert_eq!(row("*", "<unmatched>"), Some(sent), "{v}");
    assert_eq!(row("GET", "/health"), Some(2), "{v}");
    assert_eq!(row("*", "<other>"), None, "nothing folded: {v}");
    // <other>, <unmatched> and GET /health (this call is counted after it answered).
    assert_eq!(v["routes"]["keys"], 3, "{v}");
}
