//! The documentation's examples — `README.md` and the pages of `docs/` — run verbatim
//! with curl and jq against `serve --demo`.

use std::process::Command;

use crate::process::serve;

/// Every page of the documentation, in the order their examples run: the README first
/// (its examples make the first operations), then the pages it links to.
const PAGES: [(&str, &str); 10] = [
    ("README.md", include_str!("../../README.md")),
    ("docs/endpoints.md", include_str!("../../docs/endpoints.md")),
    (
        "docs/access-logs.md",
        include_str!("../../docs/access-logs.md"),
    ),
    ("docs/assistant.md", include_str!("../../docs/assistant.md")),
    ("docs/gateway.md", include_str!("../../docs/gateway.md")),
    (
        "docs/configuration.md",
        include_str!("../../docs/configuration.md"),
    ),
    ("docs/metrics.md", include_str!("../../docs/metrics.md")),
    ("docs/fleet.md", include_str!("../../docs/fleet.md")),
    (
        "docs/architecture.md",
        include_str!("../../docs/architecture.md"),
    ),
    (
        "docs/CONTRIBUTING.md",
        include_str!("../../docs/CONTRIBUTING.md"),
    ),
];

/// Every line of a ```bash block of `text` that starts with `curl`.
fn curl_lines(text: &str) -> Vec<String> {
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

/// The examples of every page, in order.
fn readme_curl_lines() -> Vec<String> {
    PAGES
        .iter()
        .flat_map(|(_, text)| curl_lines(text))
        .collect()
}

#[test]
fn every_page_of_the_documentation_is_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed: Vec<&str> = PAGES.iter().map(|(path, _)| *path).collect();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            let path = format!("docs/{name}");
            assert!(listed.contains(&path.as_str()), "{path} is not in PAGES");
        }
    }
    for (path, text) in PAGES {
        let on_disk = std::fs::read_to_string(root.join(path)).unwrap();
        assert_eq!(on_disk, text, "{path}: rebuild to run its examples");
    }
    assert_eq!(
        curl_lines(PAGES[0].1).len(),
        5,
        "the README's five examples"
    );
}

#[test]
#[ignore = "needs curl and jq"]
fn every_readme_curl_example_works_against_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&["--demo"], dir.path(), &[]);
    let lines = readme_curl_lines();
    assert!(lines.len() >= 40, "examples found: {}", lines.len());
    for (i, line) in lines.iter().enumerate() {
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
        if line.ends_with("jq '.storage_metrics.error_rate_percent'") {
            let rate: f64 = stdout.trim().parse().unwrap();
            assert!(rate > 0.0, "the my-bucket example failed once: {rate}");
        }
        if line.contains("operation_type=LIST_OBJECTS") {
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            let listed = lines[..i]
                .iter()
                .filter(|l| l.contains("/tools/list-all"))
                .count();
            assert_eq!(v["count"], listed, "one LIST_OBJECTS per listing: {stdout}");
        }
        if line.contains("/logs/access/read?limit=3") {
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(v["returned"], 3, "the first object's first lines: {stdout}");
        }
        if line.contains("-r 0-99 -o part.bin") {
            assert_eq!(
                stdout.trim(),
                "206 100 bytes",
                "a range through the gateway"
            );
        }
        if line.contains("/logs/operations?limit=3") && line.contains("jq -c") {
            assert_eq!(stdout.lines().count(), 3, "{stdout}");
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
