//! A sweep of hostile input over every route: over-long and non-UTF-8 headers (the
//! credential headers too), huge and malformed query strings, every query parameter out
//! of range, Range overflow, garbage and truncated aws-chunked bodies, unknown routes
//! and methods, absurd or lying Content-Length, percent-encoding errors in paths.
//!
//! Each request goes out byte for byte (`raw_http`). The answer must come within a few
//! seconds and never be a 5xx; a 4xx that SpaceWatch gives itself is JSON with a
//! `detail`, a 4xx the store gave (through the gateway) is the store's S3 XML; input that
//! is wrong for the route must be refused (4xx), not served. After every case the server
//! still answers a normal request. Violations are collected and reported together.

mod cases;
mod model;
mod params;
mod request;

use std::sync::Arc;
use std::time::Duration;

use spacewatch::telemetry::SystemClock;

use crate::raw_http::{self, RawResponse};
use crate::support::{Harness, tenant};
use request::{ADMIN_KEY, Auth, Req};

/// `S3_TIMEOUT_SEC` here: a client that stops sending is given up within it.
const TIMEOUT_SEC: f64 = 1.0;
/// Longest any answer may take.
const LIMIT: Duration = Duration::from_secs(5);

/// What a case must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Wrong for the route: a 4xx.
    Refused,
    /// Harmless to the route (ignored or served): anything but a 5xx.
    Any,
    /// A request of the S3 API the gateway forwards as it is: the store's answer, which
    /// may be its own 501 `NotImplemented` (s3s-fs has no ACLs), crosses in S3 XML.
    Forwarded,
    /// A head that is not valid HTTP/1.1 (framing it cannot trust, a head past hyper's
    /// buffer): hyper's parser answers before any route or middleware runs — 400 or 431
    /// with an empty body — and closes the connection. No hook of hyper's can put JSON
    /// there; the body is empty, so nothing of the request is echoed either.
    Unparsed,
}

struct Case {
    name: String,
    req: Req,
    expect: Expect,
}

fn case(name: impl Into<String>, req: Req, expect: Expect) -> Case {
    Case {
        name: name.into(),
        req,
        expect,
    }
}

/// What is wrong with `r` as the answer to `c`, if anything.
fn violation(c: &Case, r: &RawResponse) -> Option<String> {
    let s = r.status;
    if c.expect == Expect::Forwarded && s >= 400 && !r.is_s3_xml() {
        return Some(format!("{s}: not the store's S3 error: {}", r.text()));
    }
    if c.expect == Expect::Forwarded && s != 502 && s != 504 && !r.truncated {
        return None;
    }
    if s >= 500 {
        return Some(format!("{s}: {}", r.text()));
    }
    if c.expect == Expect::Unparsed {
        let ok = matches!(s, 400 | 431) && r.body.is_empty();
        return (!ok).then(|| format!("expected hyper's empty 400/431, got {s}: {}", r.text()));
    }
    if c.expect == Expect::Refused && !(400..500).contains(&s) {
        return Some(format!("not refused: {s}"));
    }
    if r.truncated {
        return Some(format!("{s}: body shorter than announced"));
    }
    let head = c.req.method == b"HEAD";
    if (400..500).contains(&s) && !head && r.detail().is_none() && !r.is_s3_xml() {
        return Some(format!(
            "{s} neither JSON {{\"detail\"}} nor S3 XML: {:?} {:?}",
            r.header("content-type"),
            &r.text()[..r.text().len().min(120)]
        ));
    }
    None
}

/// The server under the sweep, with an admin key, the bearer-protected /metrics and an
/// agent whose model is the stand-in of `model` (aborted when the harness is dropped).
async fn sweep_harness() -> (Harness, tokio::task::JoinHandle<()>) {
    let (model_url, model) = model::start().await;
    let h = Harness::start_with(
        move |s| {
            s.agent = Some(spacewatch::config::AgentSettings {
                url: model_url,
                key: Some(spacewatch::config::Secret::new("sk-sweep-model-key-0000")),
                model: Some("sweep-model".into()),
            });
            s.api_key = Some(spacewatch::config::Secret::new(ADMIN_KEY));
            s.metrics_auth = spacewatch::config::MetricsAuth::Bearer;
            s.knobs.s3_timeout_sec = TIMEOUT_SEC;
            // Also the longest pause allowed inside a /chat or /mcp body.
            s.knobs.header_read_timeout_sec = TIMEOUT_SEC;
            // Wrong keys are part of the sweep; the lock-out is tested elsewhere.
            s.knobs.admin_key_failure_burst = 1_000_000;
        },
        Arc::new(SystemClock),
    )
    .await;
    (h, model)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_on_every_route_gets_a_4xx_json_answer() {
    let (h, _model) = sweep_harness().await;
    let addr = h.base.trim_start_matches("http://").to_string();
    let cases = cases::all();
    let mut bad = Vec::new();
    for c in &cases {
        let got = raw_http::send(&addr, &c.req.head(&addr), &c.req.body, LIMIT).await;
        match got {
            None => bad.push(format!("{}: no answer within {LIMIT:?}", c.name)),
            Some(r) => {
                if let Some(v) = violation(c, &r) {
                    bad.push(format!("{}: {v}", c.name));
                }
            }
        }
        let alive = h.get("/health", Default::default()).await;
        assert_eq!(
            alive.status(),
            200,
            "{}: the server stopped answering",
            c.name
        );
    }
    assert!(
        bad.is_empty(),
        "{} of {} cases answered wrongly:\n{}",
        bad.len(),
        cases.len(),
        bad.join("\n")
    );
    // Still serving the real thing.
    let r = h.get("/s3/alpha/dir/obj-0000", tenant()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().len(), 100);
    let r = h.get("/tools/list-all?bucket=alpha", tenant()).await;
    assert_eq!(r.status(), 200);
}

/// An upload that stops short of its Content-Length is the client's silence: a 408
/// within `S3_TIMEOUT_SEC`, recorded as such, nothing stored — not a storage timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_short_of_its_length_is_408_not_a_storage_timeout() {
    let (h, _model) = sweep_harness().await;
    let addr = h.base.trim_start_matches("http://").to_string();
    let req = Req::of("PUT", "/s3/alpha/short.bin", Auth::Tenant).with("Content-Length", "1000");
    let started = std::time::Instant::now();
    let r = raw_http::send(&addr, &req.head(&addr), &[b'x'; 10], LIMIT)
        .await
        .expect("an answer");
    let took = started.elapsed();
    let text = "client stopped sending the request body";
    assert_eq!((r.status, r.detail().as_deref()), (408, Some(text)));
    let timeout = Duration::from_secs_f64(TIMEOUT_SEC);
    assert!(took >= timeout && took < timeout * 3, "took {took:?}");
    h.state.recorder.flush().await;
    let mut admin = reqwest::header::HeaderMap::new();
    admin.insert("X-API-Key", ADMIN_KEY.parse().unwrap());
    let v: serde_json::Value = h
        .get("/logs/operations?limit=1", admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["logs"][0]["status_code"], 408, "{v}");
    assert_eq!(v["logs"][0]["error"], text);
    let head = crate::support::s3_client(&h.store)
        .head_object()
        .bucket("alpha")
        .key("short.bin")
        .send()
        .await;
    assert!(head.is_err(), "nothing stored");
}

/// A /chat or /mcp body short of its Content-Length is given up after the allowed pause
/// (`HEADER_READ_TIMEOUT_SEC`): a 400 that says so, not a connection held forever —
/// and a body the client broke is a 400 too, not the 500 MCP's transport makes of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_or_mcp_body_that_stops_is_a_400_within_the_pause() {
    let (h, _model) = sweep_harness().await;
    let addr = h.base.trim_start_matches("http://").to_string();
    let pause = Duration::from_secs_f64(TIMEOUT_SEC);
    for target in ["/chat", "/mcp"] {
        let req = Req::of("POST", target, Auth::Tenant).with("Content-Length", "1000");
        let started = std::time::Instant::now();
        let r = raw_http::send(&addr, &req.head(&addr), br#"{"message": "#, LIMIT)
            .await
            .unwrap_or_else(|| panic!("{target}: no answer"));
        let took = started.elapsed();
        assert_eq!(r.status, 400, "{target}: {}", r.text());
        let detail = r.detail().unwrap_or_default();
        assert!(
            detail.contains("no request body data"),
            "{target}: {detail}"
        );
        assert!(took >= pause && took < pause * 3, "{target}: took {took:?}");
    }
    // Chunked framing that breaks off: the body fails, and MCP must not call it a 500.
    let req = Req::of("POST", "/mcp", Auth::Tenant)
        .without("Content-Length")
        .with("Transfer-Encoding", "chunked");
    let r = raw_http::send(&addr, &req.head(&addr), b"zz\r\n{}\r\n", LIMIT)
        .await
        .expect("an answer");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.detail().is_some(), "{}", r.text());
}
