//! rclone (Debian) through the gateway: `mkdir`, `copy`, `sync`, `check` (no difference)
//! and `rmdir`, with issued credentials (`session_token`) and with the tenant headers
//! (`--header`).

use std::process::Command;

use super::{Rig, have, run, write_file};

/// `rclone` with the remote `gw:` configured by environment.
fn rclone(rig: &Rig, headers: bool) -> impl Fn(&[&str]) -> Command {
    let mut env = vec![
        ("RCLONE_CONFIG_GW_TYPE", "s3".to_string()),
        ("RCLONE_CONFIG_GW_PROVIDER", "Other".to_string()),
        ("RCLONE_CONFIG_GW_ENDPOINT", rig.endpoint()),
        ("RCLONE_CONFIG_GW_FORCE_PATH_STYLE", "true".to_string()),
        ("RCLONE_CONFIG_GW_REGION", rig.cred("region")),
    ];
    let mut extra = Vec::new();
    if headers {
        // Anything signs: the tenant headers are what the gateway reads.
        env.push(("RCLONE_CONFIG_GW_ACCESS_KEY_ID", "unused".into()));
        env.push(("RCLONE_CONFIG_GW_SECRET_ACCESS_KEY", "unused".into()));
        extra.push(format!("X-Spaces-Key: {}", rig.tenant.0));
        extra.push(format!("X-Spaces-Secret: {}", rig.tenant.1));
    } else {
        env.push(("RCLONE_CONFIG_GW_ACCESS_KEY_ID", rig.cred("access_key_id")));
        env.push((
            "RCLONE_CONFIG_GW_SECRET_ACCESS_KEY",
            rig.cred("secret_access_key"),
        ));
        env.push(("RCLONE_CONFIG_GW_SESSION_TOKEN", rig.cred("session_token")));
    }
    move |args: &[&str]| {
        let mut c = Command::new("rclone");
        // rclone refuses a CA bundle in the environment with its own transport.
        c.env_remove("AWS_CA_BUNDLE")
            .env("RCLONE_CONFIG", "/dev/null")
            .args(args)
            .args(["--retries", "1", "--low-level-retries", "2"]);
        for h in &extra {
            c.args(["--header", h]);
        }
        for (k, v) in &env {
            c.env(k, v);
        }
        c
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs rclone and moto (apt-get install rclone; pip install 'moto[server]')"]
async fn rclone_copy_sync_check_with_credentials_and_with_headers() {
    assert!(have("rclone", "version"), "rclone is installed");
    for rig in Rig::both().await {
        for headers in [false, true] {
            let what = format!("{} headers={headers}", rig.name);
            let tmp = tempfile::tempdir().unwrap();
            let d = tmp.path();
            let rc = rclone(&rig, headers);
            let bucket = if headers { "rc-headers" } else { "rc-creds" };
            let remote = format!("gw:{bucket}");
            std::fs::create_dir_all(d.join("src/dir")).unwrap();
            let big = write_file(&d.join("src/big.bin"), 30_000_000, 51);
            let small = write_file(&d.join("src/dir/small.txt"), 777, 52);
            run(&what, &mut rc(&["mkdir", &remote]));
            run(
                &what,
                &mut rc(&["copy", d.join("src").to_str().unwrap(), &remote]),
            );
            assert!(
                rig.stored(bucket, "big.bin").await.as_deref() == Some(&big[..]),
                "{what}"
            );
            let out = run(
                &what,
                &mut rc(&["check", d.join("src").to_str().unwrap(), &remote]),
            );
            assert!(out.contains("0 differences found"), "{what}: {out}");
            // sync down, then sync a deletion up.
            run(
                &what,
                &mut rc(&["sync", &remote, d.join("down").to_str().unwrap()]),
            );
            assert!(
                std::fs::read(d.join("down/big.bin")).unwrap() == big,
                "{what}"
            );
            assert!(
                std::fs::read(d.join("down/dir/small.txt")).unwrap() == small,
                "{what}"
            );
            std::fs::remove_file(d.join("src/big.bin")).unwrap();
            run(
                &what,
                &mut rc(&["sync", d.join("src").to_str().unwrap(), &remote]),
            );
            assert_eq!(
                rig.stored(bucket, "big.bin").await,
                None,
                "{what}: synced away"
            );
            run(&what, &mut rc(&["purge", &format!("{remote}/dir")]));
            run(&what, &mut rc(&["rmdir", &remote]));
            assert!(
                rig.store.head_bucket().bucket(bucket).send().await.is_err(),
                "{what}"
            );
        }
    }
}
