//! aws-cli (PyPI `awscli`) with issued gateway credentials: `s3 cp` of a 64 MiB file
//! (multipart) and back, `s3 sync` both ways, `s3 mv`, `s3 rm --recursive`, and `s3api`
//! calls — tagging, versioning (where the store has it), a copy that replaces metadata —
//! and a presigned GET fetched with no header at all.

use std::process::Command;

use super::{Rig, have, run, write_file};

fn aws(rig: &Rig, dir: &std::path::Path) -> impl Fn(&[&str]) -> Command {
    let env = [
        ("AWS_ACCESS_KEY_ID", rig.cred("access_key_id")),
        ("AWS_SECRET_ACCESS_KEY", rig.cred("secret_access_key")),
        ("AWS_SESSION_TOKEN", rig.cred("session_token")),
        ("AWS_DEFAULT_REGION", rig.cred("region")),
        ("AWS_CONFIG_FILE", dir.join("config").display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("none").display().to_string(),
        ),
    ];
    // aws-cli 1.x presigns with SigV2 unless told: the gateway verifies SigV4 only.
    let config = "[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n";
    std::fs::write(dir.join("config"), config).unwrap();
    let endpoint = rig.endpoint();
    move |args: &[&str]| {
        let mut c = Command::new("aws");
        c.args(["--endpoint-url", &endpoint])
            .args(args)
            .env_remove("AWS_PROFILE");
        for (k, v) in &env {
            c.env(k, v);
        }
        c
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aws-cli and moto (pip install awscli 'moto[server]')"]
async fn aws_cli_cp_sync_mv_rm_and_s3api() {
    assert!(have("aws", "--version"), "aws-cli is installed");
    for rig in super::Rig::both().await {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let aws = aws(&rig, d);
        let n = rig.name;
        run(n, &mut aws(&["s3", "mb", "s3://cli-bucket"]));
        // 64 MiB: multipart at aws-cli's 8 MiB threshold.
        let big = write_file(&d.join("big.bin"), 64 * 1024 * 1024, 41);
        let q = ["--only-show-errors"];
        run(
            n,
            aws(&[
                "s3",
                "cp",
                d.join("big.bin").to_str().unwrap(),
                "s3://cli-bucket/big.bin",
            ])
            .args(q),
        );
        assert_eq!(
            rig.stored("cli-bucket", "big.bin").await.as_deref(),
            Some(&big[..]),
            "{n}: stored"
        );
        run(
            n,
            aws(&[
                "s3",
                "cp",
                "s3://cli-bucket/big.bin",
                d.join("back.bin").to_str().unwrap(),
            ])
            .args(q),
        );
        assert!(
            std::fs::read(d.join("back.bin")).unwrap() == big,
            "{n}: back byte for byte"
        );
        // sync up and down.
        std::fs::create_dir_all(d.join("tree/sub")).unwrap();
        let a = write_file(&d.join("tree/a.txt"), 1000, 42);
        let b = write_file(&d.join("tree/sub/b.bin"), 300_000, 43);
        run(
            n,
            aws(&[
                "s3",
                "sync",
                d.join("tree").to_str().unwrap(),
                "s3://cli-bucket/tree",
            ])
            .args(q),
        );
        run(
            n,
            aws(&[
                "s3",
                "sync",
                "s3://cli-bucket/tree",
                d.join("down").to_str().unwrap(),
            ])
            .args(q),
        );
        assert!(std::fs::read(d.join("down/a.txt")).unwrap() == a, "{n}");
        assert!(std::fs::read(d.join("down/sub/b.bin")).unwrap() == b, "{n}");
        // mv: a copy, then the source deleted — every byte kept.
        run(
            n,
            aws(&[
                "s3",
                "mv",
                "s3://cli-bucket/big.bin",
                "s3://cli-bucket/moved/big.bin",
            ])
            .args(q),
        );
        assert_eq!(
            rig.stored("cli-bucket", "big.bin").await,
            None,
            "{n}: the source is gone"
        );
        assert!(
            rig.stored("cli-bucket", "moved/big.bin").await.as_deref() == Some(&big[..]),
            "{n}: the moved object holds every byte"
        );
        // s3api: a copy replacing the metadata.
        run(
            n,
            &mut aws(&[
                "s3api",
                "copy-object",
                "--bucket",
                "cli-bucket",
                "--key",
                "tree/a-copy.txt",
                "--copy-source",
                "cli-bucket/tree/a.txt",
                "--metadata-directive",
                "REPLACE",
                "--metadata",
                "owner=cli",
                "--content-type",
                "text/x-replaced",
            ]),
        );
        let head = rig
            .store
            .head_object()
            .bucket("cli-bucket")
            .key("tree/a-copy.txt")
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_type(), Some("text/x-replaced"), "{n}");
        assert_eq!(
            head.metadata()
                .and_then(|m| m.get("owner"))
                .map(String::as_str),
            Some("cli"),
            "{n}"
        );
        // A presigned GET works with no header.
        let url = run(
            n,
            &mut aws(&[
                "s3",
                "presign",
                "s3://cli-bucket/tree/a.txt",
                "--expires-in",
                "300",
            ]),
        );
        let got = reqwest::get(url.trim()).await.unwrap();
        assert_eq!(got.status(), 200, "{n}");
        assert!(
            got.bytes().await.unwrap()[..] == a[..],
            "{n}: presigned GET"
        );
        if rig.name == "moto" {
            // Tagging and versioning: moto has them (s3s-fs does not). A bucket of their
            // own: a versioned bucket keeps its delete markers.
            run(
                n,
                &mut aws(&["s3api", "create-bucket", "--bucket", "cli-versions"]),
            );
            run(
                n,
                &mut aws(&[
                    "s3api",
                    "put-bucket-versioning",
                    "--bucket",
                    "cli-versions",
                    "--versioning-configuration",
                    "Status=Enabled",
                ]),
            );
            let v = run(
                n,
                &mut aws(&["s3api", "get-bucket-versioning", "--bucket", "cli-versions"]),
            );
            assert!(v.contains("Enabled"), "{n}: {v}");
            let body = d.join("tree/a.txt");
            for _ in 0..2 {
                run(
                    n,
                    &mut aws(&[
                        "s3api",
                        "put-object",
                        "--bucket",
                        "cli-versions",
                        "--key",
                        "v.txt",
                        "--body",
                        body.to_str().unwrap(),
                    ]),
                );
            }
            let versions = rig
                .store
                .list_object_versions()
                .bucket("cli-versions")
                .send()
                .await
                .unwrap();
            assert_eq!(versions.versions().len(), 2, "{n}: two versions");
            run(
                n,
                &mut aws(&[
                    "s3api",
                    "put-object-tagging",
                    "--bucket",
                    "cli-versions",
                    "--key",
                    "v.txt",
                    "--tagging",
                    "TagSet=[{Key=team,Value=ops}]",
                ]),
            );
            let tags = run(
                n,
                &mut aws(&[
                    "s3api",
                    "get-object-tagging",
                    "--bucket",
                    "cli-versions",
                    "--key",
                    "v.txt",
                ]),
            );
            assert!(tags.contains("\"ops\""), "{n}: {tags}");
        }
        // rm --recursive, then the bucket goes.
        run(
            n,
            aws(&["s3", "rm", "s3://cli-bucket", "--recursive"]).args(q),
        );
        let left = rig
            .store
            .list_objects_v2()
            .bucket("cli-bucket")
            .send()
            .await
            .unwrap();
        assert_eq!(left.key_count(), Some(0), "{n}: everything removed");
        run(n, &mut aws(&["s3", "rb", "s3://cli-bucket"]));
        assert!(
            rig.store
                .head_bucket()
                .bucket("cli-bucket")
                .send()
                .await
                .is_err(),
            "{n}"
        );
    }
}
