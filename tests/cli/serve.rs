//! `serve --demo` end to end, and a graceful stop on SIGTERM and SIGINT.

use crate::process::{get_json, serve};

const DEMO: [(&str, &str); 2] = [
    ("X-Spaces-Key", "SPACEWATCHDEMOKEY000"),
    ("X-Spaces-Secret", "spacewatch-demo-secret-key"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_works_end_to_end_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&["--demo"], dir.path(), &[]);
    let (status, v) = get_json(&format!("{}/tools/buckets", server.base), &DEMO).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    for b in ["demo-assets", "demo-logs", "demo-metrics"] {
        assert!(names.contains(&b), "{b} in {names:?}");
    }
    let (_, v) = get_json(
        &format!(
            "{}/tools/list-all?bucket=demo-logs&prefix=access-logs/",
            server.base
        ),
        &DEMO,
    )
    .await;
    assert!(v["count"].as_u64().unwrap() >= 6, "access logs seeded: {v}");
    let (_, v) = get_json(
        &format!("{}/tools/list-all?bucket=demo-assets", server.base),
        &DEMO,
    )
    .await;
    assert_eq!(v["count"], 8);
    let (_, h) = get_json(&format!("{}/health", server.base), &[]).await;
    assert_eq!(h["storage_metrics"]["total_operations_5m"], 3);
    assert!(
        h["spaces_endpoint"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let (status, out) = server.stop("-TERM");
    assert!(status.success(), "exit status {status:?}\n{out}");
    assert!(out.contains("SpaceWatch stopped"), "{out}");
    assert!(
        out.contains("X-Spaces-Key: SPACEWATCHDEMOKEY000"),
        "credentials printed at start:\n{out}"
    );
    assert_eq!(out.matches("] STORAGE_OP: ").count(), 3, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_stops_it_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&[], dir.path(), &[]);
    let (status, _) = get_json(&format!("{}/health", server.base), &[]).await;
    assert_eq!(status, 200);
    let (status, out) = server.stop("-INT");
    assert!(status.success(), "{status:?}\n{out}");
}

#[test]
fn bad_configuration_is_refused_with_a_message() {
    let out = crate::process::bin()
        .args(["serve", "--recent-window-seconds", "5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("RECENT_WINDOW_SECONDS"));
    let out = crate::process::bin()
        .args(["serve", "--allow-endpoint", "ftp://x"])
        .env("SPACEWATCH_PORT", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("allow-endpoint"));
}
