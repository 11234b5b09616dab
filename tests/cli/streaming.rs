//! 1 GiB up and down through the gateway of a real `serve --demo` process: the bytes come
//! back identical and the server's peak RSS grows by less than 64 MiB.

use std::io::Write;

use aws_sdk_s3::primitives::ByteStream;
use sha2::{Digest, Sha256};

use crate::process::serve;

const GIB: usize = 1024 * 1024 * 1024;

/// `VmRSS` or `VmHWM` of a process, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = text.lines().find(|l| l.starts_with(field)).expect("field");
    line.split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("number")
}

/// Writes `n` bytes of a deterministic pattern, returning their SHA-256.
fn write_pattern(path: &std::path::Path, n: usize) -> Vec<u8> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut h = Sha256::new();
    let mut chunk = vec![0u8; 1 << 20];
    for i in 0..n / chunk.len() {
        for (j, b) in chunk.iter_mut().enumerate() {
            *b = (i.wrapping_mul(31) ^ j.wrapping_mul(7)) as u8;
        }
        h.update(&chunk);
        f.write_all(&chunk).unwrap();
    }
    f.flush().unwrap();
    h.finalize().to_vec()
}

#[derive(Debug)]
struct TenantHeaders;

impl aws_sdk_s3::config::Intercept for TenantHeaders {
    fn name(&self) -> &'static str {
        "TenantHeaders"
    }
    fn modify_before_transmit(
        &self,
        ctx: &mut aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _: &aws_sdk_s3::config::RuntimeComponents,
        _: &mut aws_sdk_s3::config::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let h = ctx.request_mut().headers_mut();
        h.insert("x-spaces-key", "SPACEWATCHDEMOKEY000");
        h.insert("x-spaces-secret", "spacewatch-demo-secret-key");
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gibibyte_streams_both_ways_in_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&["--demo"], dir.path(), &[("RATE_LIMIT_RPS", "0")]);
    let pid = server.child.id();
    let file = dir.path().join("big.bin");
    let want = write_pattern(&file, GIB);
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(format!("{}/s3/", server.base))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "x", "x", None, None, "t",
        ))
        .force_path_style(true)
        .interceptor(TenantHeaders)
        .build();
    let c = aws_sdk_s3::Client::from_conf(conf);
    // Warm up (bucket list cached, pools open) before taking the baseline.
    c.head_bucket().bucket("demo-assets").send().await.ok();
    c.list_objects_v2()
        .bucket("demo-assets")
        .send()
        .await
        .unwrap();
    let baseline = status_kib(pid, "VmRSS:");

    let body = ByteStream::from_path(&file).await.unwrap();
    c.put_object()
        .bucket("demo-assets")
        .key("big.bin")
        .body(body)
        .send()
        .await
        .unwrap();
    let mut got = c
        .get_object()
        .bucket("demo-assets")
        .key("big.bin")
        .send()
        .await
        .unwrap();
    let mut h = Sha256::new();
    let mut n = 0usize;
    while let Some(chunk) = got.body.next().await {
        let chunk = chunk.unwrap();
        n += chunk.len();
        h.update(&chunk);
    }
    assert_eq!(n, GIB);
    assert_eq!(h.finalize().to_vec(), want, "the bytes came back identical");
    let peak = status_kib(pid, "VmHWM:");
    let growth_mib = peak.saturating_sub(baseline) as f64 / 1024.0;
    eprintln!(
        "server RSS baseline {} MiB, peak {} MiB, growth {growth_mib:.1} MiB",
        baseline / 1024,
        peak / 1024
    );
    assert!(growth_mib < 64.0, "peak RSS grew by {growth_mib:.1} MiB");
    let (status, out) = server.stop("-TERM");
    assert!(status.success(), "{out}");
    assert_eq!(out.matches("] STORAGE_OP: PUT_OBJECT").count(), 1, "{out}");
    assert_eq!(out.matches("] STORAGE_OP: GET_OBJECT").count(), 1);
}

/// A 1 GiB multipart upload with issued gateway credentials: every part's chunk
/// signatures are verified on the way, and the server's peak RSS still hardly moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_gibibyte_multipart_upload_in_flat_memory() {
    use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&["--demo"], dir.path(), &[("RATE_LIMIT_RPS", "0")]);
    let pid = server.child.id();
    let file = dir.path().join("big.bin");
    let want = write_pattern(&file, GIB);
    let creds: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/gateway/credentials", server.base))
        .header("X-Spaces-Key", "SPACEWATCHDEMOKEY000")
        .header("X-Spaces-Secret", "spacewatch-demo-secret-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let s = |k: &str| creds[k].as_str().unwrap().to_string();
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(s("region")))
        .endpoint_url(s("endpoint_url"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            s("access_key_id"),
            s("secret_access_key"),
            Some(s("session_token")),
            None,
            "gateway",
        ))
        .force_path_style(true)
        .build();
    let c = aws_sdk_s3::Client::from_conf(conf);
    c.list_objects_v2()
        .bucket("demo-assets")
        .send()
        .await
        .unwrap();
    let baseline = status_kib(pid, "VmRSS:");
    let up = c
        .create_multipart_upload()
        .bucket("demo-assets")
        .key("multi.bin")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let part = GIB / 8;
    let mut parts = Vec::new();
    for i in 0..8 {
        let body = ByteStream::read_from()
            .path(&file)
            .offset((i * part) as u64)
            .length(aws_sdk_s3::primitives::Length::Exact(part as u64))
            .build()
            .await
            .unwrap();
        let r = c
            .upload_part()
            .bucket("demo-assets")
            .key("multi.bin")
            .upload_id(id)
            .part_number(i as i32 + 1)
            .body(body)
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(i as i32 + 1)
                .e_tag(r.e_tag().unwrap())
                .build(),
        );
    }
    c.complete_multipart_upload()
        .bucket("demo-assets")
        .key("multi.bin")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let peak = status_kib(pid, "VmHWM:");
    let growth_mib = peak.saturating_sub(baseline) as f64 / 1024.0;
    eprintln!(
        "multipart: server RSS baseline {} MiB, peak {} MiB, growth {growth_mib:.1} MiB",
        baseline / 1024,
        peak / 1024
    );
    let mut got = c
        .get_object()
        .bucket("demo-assets")
        .key("multi.bin")
        .send()
        .await
        .unwrap();
    let mut h = Sha256::new();
    while let Some(chunk) = got.body.next().await {
        h.update(chunk.unwrap());
    }
    assert_eq!(h.finalize().to_vec(), want, "the parts make the file");
    assert!(growth_mib < 16.0, "peak RSS grew by {growth_mib:.1} MiB");
    let (status, out) = server.stop("-TERM");
    assert!(status.success(), "{out}");
    assert_eq!(
        out.matches("] STORAGE_OP: PUT_OBJECT").count(),
        8 + 2,
        "{out}"
    );
}
