//! The README's examples, run verbatim with curl and jq against `serve --demo`.

use std::process::Command;

use crate::process::serve;

/// Every line of a ```bash block that starts with `curl`.
fn readme_curl_lines() -> Vec<String> {
    let text = include_str!("../../README.md");
    let mut in_bash = false;
    let mut out = Vec::new();
    for line in text.lines() {
        match line.trim() {
            "```bash" => in_bash = true,
            "```" => in_bash = false,
            l if in_bash && l.starts_with("curl ") => out.push(l.to_string()),
            _ => {}
        }
    }
    out
}

#[test]
#[ignore = "needs curl and jq"]
fn every_readme_curl_example_works_against_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&["--demo"], dir.path(), &[]);
    let lines = readme_curl_lines();
    assert!(lines.len() >= 15, "README examples found: {}", lines.len());
    for line in &lines {
        let cmd = line
            .replace("http://localhost:8000", &server.base)
            .replace("curl ", "curl -sSf ");
        // One after another, as a person would run them: under the demo's rate limit
        // (2 requests/s per client, burst 10).
        std::thread::sleep(std::time::Duration::from_millis(500));
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", &cmd])
            .current_dir(dir.path())
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() || line.contains("my-bucket") && !line.contains("logs/operations"),
            "{line}\nexit {:?}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            assert!(!stdout.trim().is_empty(), "{line}: empty output");
        }
        if line.contains("{p50, p95, p99}") {
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert!(
                v["p50"].as_f64().unwrap() > 0.0 && v["p99"].is_number(),
                "{stdout}"
            );
        }
        if line.contains("error_rate_percent") {
            let rate: f64 = stdout.trim().parse().unwrap();
            assert!(rate > 0.0, "the my-bucket example failed once: {rate}");
        }
        if line.contains("operation_type=LIST_OBJECTS") {
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(v["count"], 2, "two LIST_OBJECTS so far: {stdout}");
        }
        if line.contains("grep -i '^x-'") {
            for h in [
                "x-request-duration-ms",
                "x-request-id",
                "x-operation-type: LIST_OBJECTS",
            ] {
                assert!(
                    stdout.to_lowercase().contains(&h.to_lowercase()),
                    "{h} in {stdout}"
                );
            }
        }
    }
    let (status, out) = server.stop("-TERM");
    assert!(status.success(), "{out}");
}
