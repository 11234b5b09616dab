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

#[test]
fn short_admin_keys_and_bad_proxies_are_refused_and_urls_print_without_userinfo() {
    let refused = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = crate::process::bin();
        cmd.arg("serve").args(args).env("SPACEWATCH_PORT", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success(), "{args:?} started");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = refused(&[], &[("APP_API_KEY", "short-key")]);
    assert!(e.contains("at least 16 characters"), "{e}");
    assert!(!e.contains("short-key"), "the key was printed: {e}");
    let e = refused(&["--metrics-auth", "bearer"], &[]);
    assert!(e.contains("METRICS_AUTH=bearer needs APP_API_KEY"), "{e}");
    let e = refused(&["--trusted-proxy", "10.0.0.0/99"], &[]);
    assert!(e.contains("TRUSTED_PROXIES"), "{e}");
    for (flag, url) in [
        ("--endpoint", "https://alice:hunter2@nyc3.example.com/path"),
        (
            "--allow-endpoint",
            "https://bob:s3cr3t@storage.example.com/x",
        ),
    ] {
        let e = refused(&[flag, url], &[]);
        assert!(e.contains("***@"), "{flag}: {e}");
        for secret in ["alice", "hunter2", "bob", "s3cr3t"] {
            assert!(!e.contains(secret), "{flag}: {secret} printed: {e}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_admin_surface_beyond_loopback_is_announced_loudly() {
    let dir = tempfile::tempdir().unwrap();
    // Blank is unset; 0.0.0.0 is beyond loopback.
    let mut cmd = crate::process::bin();
    cmd.args(["serve", "--host", "0.0.0.0", "--port", "0"])
        .env("APP_API_KEY", "  ")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("WARNING: APP_API_KEY is not set") && text.contains("open to anyone"),
        "{text}"
    );
    // On loopback, no warning.
    let server = crate::process::serve(&[], dir.path(), &[("APP_API_KEY", "")]);
    let (_, out) = server.stop("-TERM");
    assert!(!out.contains("APP_API_KEY is not set"), "{out}");
}
