//! `spacewatch setup` through the binary, as a script would run it.

use crate::process::bin;

#[test]
fn non_interactive_setup_writes_a_dotenv_the_server_reads() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        bin()
            .current_dir(dir.path())
            .args([
                "setup",
                "--non-interactive",
                "--agent-url",
                "https://agent.example.com",
                "--agent-model",
                "llama3.3-70b-instruct",
                "--region",
                "nyc3",
            ])
            .args(extra)
            .env("SPACEWATCH_SETUP_API_KEY", "a-long-admin-key-123456")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join(".env")).unwrap();
    assert!(text.contains("SPACES_REGION=\"nyc3\""), "{text}");
    assert!(
        text.contains("DO_AGENT_MODEL=\"llama3.3-70b-instruct\""),
        "{text}"
    );
    assert!(
        text.contains("APP_API_KEY=\"a-long-admin-key-123456\""),
        "{text}"
    );
    let printed =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        !printed.contains("a-long-admin-key-123456"),
        "secret echoed:\n{printed}"
    );
    // A second run refuses to overwrite without --force, and leaves the file alone.
    let again = run(&[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".env")).unwrap(),
        text
    );
    assert!(run(&["--force"]).status.success());
}
