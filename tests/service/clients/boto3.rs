//! boto3's transfer manager, as applications upload: three concurrent multipart uploads
//! of 40 MiB, with issued credentials and with the tenant headers (an event hook adds
//! them); each ETag is the one the store computed, each object byte for byte.

use std::process::Command;

use super::{Rig, run};

const SCRIPT: &str = include_str!("boto3_transfers.py");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs boto3 and moto (pip install boto3 'moto[server]')"]
async fn boto3_transfer_manager_uploads_concurrently() {
    for rig in Rig::both().await {
        for headers in [false, true] {
            let what = format!("{} headers={headers}", rig.name);
            let bucket = if headers {
                "boto-headers"
            } else {
                "boto-creds"
            };
            let mut c = Command::new("python3");
            c.arg("-c").arg(SCRIPT).env_remove("AWS_PROFILE");
            c.env("GW_ENDPOINT", rig.endpoint())
                .env("GW_BUCKET", bucket);
            c.env("GW_REGION", rig.cred("region"));
            if headers {
                c.env("GW_KEY", "unused").env("GW_SECRET", "unused");
                c.env("GW_SPACES_KEY", &rig.tenant.0)
                    .env("GW_SPACES_SECRET", &rig.tenant.1);
            } else {
                c.env("GW_KEY", rig.cred("access_key_id"));
                c.env("GW_SECRET", rig.cred("secret_access_key"));
                c.env("GW_TOKEN", rig.cred("session_token"));
            }
            let out = run(&what, &mut c);
            let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap())
                .unwrap_or_else(|e| panic!("{what}: {e}: {out}"));
            let uploads = v.as_object().unwrap();
            assert_eq!(uploads.len(), 3, "{what}: {v}");
            for (key, u) in uploads {
                let etag = rig.etag(bucket, key).await;
                assert_eq!(u["etag"], etag, "{what}: {key}: the store's ETag");
                assert!(etag.ends_with("-5\""), "{what}: {key}: five parts: {etag}");
                let stored = rig.stored(bucket, key).await.unwrap();
                let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&stored));
                assert_eq!(u["sha256"], sha, "{what}: {key}: byte for byte");
            }
        }
    }
}
