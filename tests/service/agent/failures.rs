//! A model that is down, slow, rate limiting or failing; an agent that is not configured;
//! bad bodies; the rate limit. Every answer a JSON `{"detail"}` with the right status.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use spacewatch::telemetry::SystemClock;

use super::model::{Reply, answer};
use super::{admin_json, agent_settings, assert_no_secrets, chat, demo_store, demo_tenant, start};
use crate::support::{Harness, metric_sum, parse_metrics, settings_for};

#[tokio::test]
async fn a_model_that_is_down_is_a_502_after_the_retries() {
    // A port bound and not listening: every connection is refused.
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("http://{}", reserved.local_addr().unwrap());
    let store = demo_store().await;
    let settings = agent_settings(&store, &url);
    let h = Harness::serve(store, settings, Arc::new(SystemClock)).await;
    let started = Instant::now();
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "hello?"})).await;
    assert_eq!(status, 502, "{v}");
    let detail = v["detail"].as_str().unwrap();
    assert!(
        detail.contains("could not be reached") && detail.contains("3 attempt"),
        "{detail}"
    );
    // Backoff 0.5 s then 1 s between the three attempts.
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    let text = h
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    let errors = |t| {
        metric_sum(
            &samples,
            "spacewatch_gen_ai_client_errors_total",
            &[("error_type", t)],
        )
    };
    assert_eq!(errors("unreachable"), 3.0);
    assert_eq!(
        metric_sum(
            &samples,
            "spacewatch_gen_ai_client_operation_duration_seconds_count",
            &[("error_type", "unreachable")]
        ),
        1.0,
        "one model call, three attempts"
    );
    let ops = admin_json(&h, "/logs/operations").await;
    assert_eq!(ops["logs"][0]["operation_type"], "AI_QUERY");
    assert_eq!(ops["logs"][0]["status_code"], 502);
}

#[tokio::test]
async fn a_slow_model_is_a_504_without_retries() {
    let (h, model) = start(
        |_, _| Reply::After(Duration::from_secs(5), Box::new(answer("too late"))),
        |s| s.knobs.agent_timeout_sec = 1.0,
    )
    .await;
    let started = Instant::now();
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "quick!"})).await;
    assert_eq!(status, 504, "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("DO_AGENT_TIMEOUT_SEC"),
        "{v}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(model.requests().len(), 1, "a timeout is not retried");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_answered() {
    let (h, model) = start(
        |_, n| match n {
            0 => Reply::Status(
                429,
                vec![("retry-after", "1".into())],
                json!({"error": {"message": "Rate limit reached"}}),
            ),
            1 => Reply::Status(503, vec![], json!({"error": {"message": "overloaded"}})),
            _ => answer("fine now"),
        },
        |_| {},
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "hi"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["answer"], "fine now");
    assert_eq!(
        v["model_calls"], 1,
        "retries are attempts of one model call"
    );
    let got = model.requests();
    assert_eq!(got.len(), 3);
    let waited = got[1].at - got[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 honoured ({waited:?})"
    );
    assert!(
        got[2].at - got[1].at >= Duration::from_millis(450),
        "backoff after the 503"
    );
    let text = h
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    let errors = |t| {
        metric_sum(
            &samples,
            "spacewatch_gen_ai_client_errors_total",
            &[("error_type", t)],
        )
    };
    assert_eq!((errors("rate_limited"), errors("server_error")), (1.0, 1.0));
    assert_no_secrets(&h, &model, &[&v]).await;
}

#[tokio::test]
async fn a_model_error_after_the_retries_is_a_502_with_its_message_and_no_key() {
    let (h, _model) = start(
        |_, _| {
            Reply::Status(
                401,
                vec![],
                json!({"error": {"message": format!("Incorrect API key provided: {}", super::AGENT_KEY)}}),
            )
        },
        |_| {},
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "hi"})).await;
    assert_eq!(status, 502, "{v}");
    let detail = v["detail"].as_str().unwrap();
    assert!(
        detail.contains("HTTP 401") && detail.contains("Incorrect API key provided: ***"),
        "{detail}"
    );
    assert!(!detail.contains(super::AGENT_KEY));
    assert!(!h.flush_logs().await.contains(super::AGENT_KEY));
}

#[tokio::test]
async fn without_an_agent_chat_is_a_503_that_says_how_to_configure_it() {
    let store = demo_store().await;
    let mut settings = settings_for(&store);
    settings.agent = None;
    let h = Harness::serve(store, settings, Arc::new(SystemClock)).await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "hi"})).await;
    assert_eq!(status, 503, "{v}");
    let detail = v["detail"].as_str().unwrap();
    assert!(
        detail.contains("DO_AGENT_URL") && detail.contains("DO_AGENT_KEY"),
        "{detail}"
    );
    // Bad bodies and missing credentials: 400, JSON.
    for body in [
        json!("just a string"),
        json!({}),
        json!({"message": ""}),
        json!({"message": 1}),
    ] {
        let (status, v) = chat(&h, demo_tenant(), body.clone()).await;
        assert_eq!(status, 400, "{body}: {v}");
        assert!(v["detail"].is_string());
    }
    let resp = h
        .http
        .post(h.url("/chat"))
        .headers(demo_tenant())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let (status, v) = chat(&h, Default::default(), json!({"message": "hi"})).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("X-Spaces-Key"));
}

#[tokio::test]
async fn chat_is_rate_limited_like_the_tools() {
    let (h, model) = start(
        |_, _| answer("ok"),
        |s| {
            s.knobs.rate_limit_rps = 0.01;
            s.knobs.rate_limit_burst = 2;
        },
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            chat(&h, demo_tenant(), json!({"message": "hi"})).await.0,
            200
        );
    }
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "hi"})).await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(model.requests().len(), 2);
    let ops = admin_json(&h, "/logs/operations?operation_type=AI_QUERY").await;
    assert_eq!(
        ops["count"], 2,
        "a rate-limited request is never an operation"
    );
}
