//! The fleet endpoints without a working engine: how they say what is missing, the
//! admin key in front of them, bad parameters, the `/health` object and the replica's
//! identity in `/metrics`.

use std::time::Duration;

use crate::support::{Replica, free_port, store};

#[tokio::test]
async fn without_an_engine_the_fleet_view_says_how_to_configure_it() {
    let store = store().await;
    let r = Replica::start(&store, &[], &[]);
    for path in ["/fleet/operations", "/fleet/timeseries"] {
        let (status, body, _) = r.admin(path).await;
        assert_eq!(status, 503, "{path}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains("--prometheus-url") && detail.contains("SPACEWATCH_PROMETHEUS_URL"),
            "{detail}"
        );
    }
    // Parameters are checked before the 503: a bad one is a 400 either way.
    for query in ["window=forever", "window=1h&resolution=2h", "resolution=0m"] {
        let (status, body, _) = r.admin(&format!("/fleet/timeseries?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
    }
    let (status, _, _) = r.admin("/fleet/timeseries?window=1h&resolution=1m").await;
    assert_eq!(status, 503, "good parameters: not configured");
    // The admin key comes first.
    let resp = reqwest::get(format!("{}/fleet/operations", r.base))
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let (_, health, _) = r.admin("/health").await;
    assert!(health.get("fleet").is_none(), "{health}");
}

#[tokio::test]
async fn an_engine_that_is_not_there_is_a_502_at_once_and_bad_input_a_400() {
    let store = store().await;
    let port = free_port(); // nothing listens there
    let url = format!("https://ops:hunter2-secret@127.0.0.1:{port}/prom");
    let r = Replica::start(
        &store,
        &["--prometheus-url", &url, "--prometheus-timeout-sec", "3"],
        &[("SPACEWATCH_INSTANCE_ID", "replica-under-test")],
    );
    let (status, body, took) = r.admin("/fleet/operations").await;
    assert_eq!(status, 502, "{body}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("https://127.0.0.1:{port}/prom")),
        "{detail}"
    );
    assert!(!detail.contains("hunter2"), "{detail}");
    for query in [
        "window=forever",
        "window=60m&resolution=1s",
        "window=1h&resolution=2h",
        "resolution=0m",
    ] {
        let (status, body, _) = r.admin(&format!("/fleet/timeseries?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains("resolution") || detail.contains("window"),
            "{body}"
        );
    }
    let (_, health, _) = r.admin("/health").await;
    let fleet = &health["fleet"];
    assert_eq!(fleet["configured"], true, "{health}");
    assert_eq!(
        fleet["engine_url"],
        format!("https://127.0.0.1:{port}/prom")
    );
    assert_eq!(fleet["instance_id"], "replica-under-test");
    assert_eq!(fleet["last_query"]["ok"], false);
    assert!(!health.to_string().contains("hunter2"));
    assert!(!r.output.lock().contains("hunter2"), "{}", r.output.lock());
    // The identity is on the build-info series and nowhere else.
    let metrics = r.metrics().await;
    let with_id: Vec<&str> = metrics
        .lines()
        .filter(|l| l.contains("replica-under-test"))
        .collect();
    assert_eq!(with_id.len(), 1, "{with_id:?}");
    assert!(
        with_id[0].starts_with("spacewatch_build_info{")
            && with_id[0].contains(r#"service_instance_id="replica-under-test""#),
        "{with_id:?}"
    );
}

#[tokio::test]
async fn a_bad_engine_configuration_stops_the_start() {
    let store = store().await;
    for (args, says) in [
        (vec!["--prometheus-url", "ftp://x"], "http:// or https://"),
        (
            vec![
                "--prometheus-url",
                "http://x",
                "--prometheus-timeout-sec",
                "0",
            ],
            "SPACEWATCH_PROMETHEUS_TIMEOUT_SEC",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_spacewatch"))
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .args(["--endpoint", &store.endpoint()])
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
