//! s3cmd (Debian), which takes a host and no path: the S3 listener at the root, with
//! issued credentials (`access_token`). `mb`, `put` (multipart), `get`, `ls`, `del`, `rb`.

use std::process::Command;

use super::{Rig, have, run, write_file};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs s3cmd and moto (apt-get install s3cmd; pip install 'moto[server]')"]
async fn s3cmd_on_the_root_listener() {
    assert!(have("s3cmd", "--version"), "s3cmd is installed");
    for rig in Rig::both().await {
        let n = rig.name;
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let host = rig
            .server()
            .s3_base
            .trim_start_matches("http://")
            .to_string();
        let config = format!(
            "[default]\naccess_key = {}\nsecret_key = {}\naccess_token = {}\nhost_base = {host}\n\
             host_bucket = {host}\nuse_https = False\nsignature_v2 = False\nbucket_location = {}\n\
             multipart_chunk_size_mb = 5\n",
            rig.cred("access_key_id"),
            rig.cred("secret_access_key"),
            rig.cred("session_token"),
            rig.cred("region"),
        );
        std::fs::write(d.join("s3cfg"), config).unwrap();
        let s3cmd = |args: &[&str]| {
            let mut c = Command::new("s3cmd");
            c.arg("-c").arg(d.join("s3cfg")).args(args);
            c
        };
        let data = write_file(&d.join("up.bin"), 12_000_000, 61);
        run(n, &mut s3cmd(&["mb", "s3://s3cmd-bucket"]));
        // Multipart (5 MB parts): the operations below show it.
        run(
            n,
            &mut s3cmd(&[
                "put",
                d.join("up.bin").to_str().unwrap(),
                "s3://s3cmd-bucket/up.bin",
            ]),
        );
        assert!(
            rig.stored("s3cmd-bucket", "up.bin").await.as_deref() == Some(&data[..]),
            "{n}"
        );
        run(
            n,
            &mut s3cmd(&[
                "get",
                "s3://s3cmd-bucket/up.bin",
                d.join("back.bin").to_str().unwrap(),
            ]),
        );
        assert!(
            std::fs::read(d.join("back.bin")).unwrap() == data,
            "{n}: byte for byte"
        );
        let ls = run(n, &mut s3cmd(&["ls", "s3://s3cmd-bucket"]));
        assert!(
            ls.contains("12000000") && ls.contains("s3://s3cmd-bucket/up.bin"),
            "{n}: {ls}"
        );
        run(n, &mut s3cmd(&["del", "s3://s3cmd-bucket/up.bin"]));
        run(n, &mut s3cmd(&["rb", "s3://s3cmd-bucket"]));
        assert!(
            rig.store
                .head_bucket()
                .bucket("s3cmd-bucket")
                .send()
                .await
                .is_err(),
            "{n}"
        );
        let v = rig.server().json("/logs/operations?limit=50").await;
        let apis: Vec<&str> = v["logs"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["s3_api"].as_str())
            .collect();
        for api in [
            "CreateBucket",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
            "GetObject",
            "DeleteBucket",
        ] {
            assert!(apis.contains(&api), "{n}: {api} in {apis:?}");
        }
    }
}
