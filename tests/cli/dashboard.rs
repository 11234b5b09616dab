//! `serve --demo` serves the dashboard: the refresh interval from the flag or
//! `DASHBOARD_REFRESH_SEC`, and the demo credentials offered to the page.

use crate::process::{bin, get_json, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_dashboard_gets_its_refresh_interval_and_demo_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&["--demo"], dir.path(), &[("DASHBOARD_REFRESH_SEC", "9")]);
    let (status, v) = get_json(&format!("{}/api/ui-config", server.base), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(v["refresh_seconds"], 9);
    assert_eq!(v["demo"], true);
    assert_eq!(v["demo_credentials"]["key"], "SPACEWATCHDEMOKEY000");
    assert_eq!(
        v["demo_credentials"]["secret"],
        "spacewatch-demo-secret-key"
    );
    let page = reqwest::get(&server.base).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().contains_key("content-security-policy"));
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Storage Operations Health")
    );
    drop(server);

    // The flag wins over the environment; a custom demo secret is not offered.
    let server = serve(
        &[
            "--demo",
            "--dashboard-refresh-sec",
            "4",
            "--demo-secret",
            "custom-demo-secret-1",
        ],
        dir.path(),
        &[("DASHBOARD_REFRESH_SEC", "9")],
    );
    let (_, v) = get_json(&format!("{}/api/ui-config", server.base), &[]).await;
    assert_eq!(v["refresh_seconds"], 4);
    assert_eq!(v["demo_credentials"]["secret"], serde_json::Value::Null);
}

#[test]
fn a_refresh_interval_out_of_range_is_refused() {
    for bad in ["0", "3601"] {
        let out = bin()
            .args(["serve", "--port", "0", "--dashboard-refresh-sec", bad])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("DASHBOARD_REFRESH_SEC must be between 1 and 3600"),
            "{err}"
        );
    }
}
