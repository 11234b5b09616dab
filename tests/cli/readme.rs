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
        // Without an agent, /chat answers 503 on purpose: read the body instead of failing.
        let chat = line.contains("/chat");
        let cmd = line
            .replace("http://localhost:8000", &server.base)
            .replace("curl ", if chat { "curl -sS " } else { "curl -sSf " });
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
        if chat {
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            let detail = v["detail"].as_str().unwrap_or_default();
            assert!(
                detail.contains("DO_AGENT_URL") && detail.contains("DO_AGENT_KEY"),
                "/chat without an agent says how to configure one: {stdout}"
            );
        }
        if line.contains("\"method\": \"tools/call\"") {
            // The MCP tool's figures are the storage-summary endpoint's.
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            let out = Command::new("curl")
                .args([
                    "-sSf",
                    "-H",
                    "X-Spaces-Key: SPACEWATCHDEMOKEY000",
                    "-H",
                    "X-Spaces-Secret: spacewatch-demo-secret-key",
                    &format!("{}/tools/storage-summary?bucket=demo-assets", server.base),
                ])
                .output()
                .expect("curl runs");
            let want: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let got = &v["result"]["structuredContent"];
            assert_eq!(got["object_count"], want["object_count"], "{stdout}");
            assert_eq!(got["total_bytes"], want["total_bytes"], "{stdout}");
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
