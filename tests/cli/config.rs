//! Configuration sources, later wins: `.env` → environment → flags.

use crate::process::{get_json, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dotenv_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "APP_API_KEY=\"from-dotenv-key-0001\"\nSPACES_REGION=\"fra1\"\nSLOW_OPERATION_MS=\"1\"\nDO_AGENT_URL=\"https://agent.example.com\"\n",
    )
    .unwrap();
    // The environment overrides .env for the region; a flag overrides both for the key.
    let server = serve(
        &["--api-key", "from-flag-key-00001"],
        dir.path(),
        &[
            ("SPACES_REGION", "ams3"),
            ("APP_API_KEY", "from-env-key-000001"),
        ],
    );
    let url = format!("{}/stats", server.base);
    assert_eq!(
        get_json(&url, &[("X-API-Key", "from-dotenv-key-0001")])
            .await
            .0,
        401
    );
    assert_eq!(
        get_json(&url, &[("X-API-Key", "from-env-key-000001")])
            .await
            .0,
        401
    );
    assert_eq!(
        get_json(&url, &[("X-API-Key", "from-flag-key-00001")])
            .await
            .0,
        200
    );
    let (_, h) = get_json(&format!("{}/health", server.base), &[]).await;
    assert_eq!(h["spaces_region"], "ams3");
    assert_eq!(h["spaces_endpoint"], "https://ams3.digitaloceanspaces.com");
    assert_eq!(h["agent_configured"], true, "DO_AGENT_URL came from .env");
    assert_eq!(h["api_key_protection"], true);
    let (status, out) = server.stop("-TERM");
    assert!(status.success());
    for secret in [
        "from-dotenv-key-0001",
        "from-env-key-000001",
        "from-flag-key-00001",
    ] {
        assert!(!out.contains(secret), "{secret} printed:\n{out}");
    }
}
