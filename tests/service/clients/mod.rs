//! Real S3 tools through the gateway, as their users run them: aws-cli, rclone, s3cmd and
//! boto3's transfer manager, each against two stores (the embedded s3s store and moto),
//! with issued gateway credentials — and, where the tool can send headers, with the
//! tenant headers. Every file that goes through comes back byte for byte, checked against
//! what the store itself holds.

mod awscli;
mod boto3;
mod rclone;
mod s3cmd;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use serde_json::Value;
use spacewatch::config::Settings;
use spacewatch::telemetry::SystemClock;

use crate::gateway_sigv4::issue;
use crate::moto::{Moto, direct};
use crate::support::{Harness, KEY, SECRET, Server, s3_client};

/// A server in front of one of the two stores, with issued credentials.
pub struct Rig {
    pub name: &'static str,
    backend: Backend,
    /// An SDK client of the store itself (ground truth).
    pub store: aws_sdk_s3::Client,
    pub creds: Value,
    /// The store's key and secret (the tenant headers).
    pub tenant: (String, String),
}

/// What runs behind the gateway (kept alive as long as the rig).
enum Backend {
    S3s(Box<Harness>),
    #[allow(dead_code)]
    Moto(Moto, Server),
}

impl Rig {
    /// The embedded store.
    pub async fn s3s() -> Self {
        let h = Harness::start().await;
        let store = s3_client(&h.store);
        let (_, creds) = issue(&h, "").await;
        Self {
            name: "s3s",
            backend: Backend::S3s(Box::new(h)),
            store,
            creds,
            tenant: (KEY.into(), SECRET.into()),
        }
    }

    /// moto's server mode.
    pub async fn moto() -> Self {
        let moto = Moto::start();
        let store = direct(&moto.endpoint);
        let mut settings = Settings::for_tests();
        settings.endpoint = Some(moto.endpoint.clone());
        settings.region = "us-east-1".into();
        settings.knobs.rate_limit_rps = 0.0;
        let server = Server::start(settings, Arc::new(SystemClock)).await;
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("X-Spaces-Key", "motokey".parse().unwrap());
        h.insert("X-Spaces-Secret", "motosecret".parse().unwrap());
        let creds: Value = server
            .http
            .post(server.url("/gateway/credentials"))
            .headers(h)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Self {
            name: "moto",
            backend: Backend::Moto(moto, server),
            store,
            creds,
            tenant: ("motokey".into(), "motosecret".into()),
        }
    }

    /// The two rigs, one after the other.
    pub async fn both() -> [Self; 2] {
        [Self::s3s().await, Self::moto().await]
    }

    pub fn server(&self) -> &Server {
        match &self.backend {
            Backend::S3s(h) => h,
            Backend::Moto(_, s) => s,
        }
    }

    pub fn cred(&self, field: &str) -> String {
        self.creds[field].as_str().unwrap().to_string()
    }

    /// The gateway under `/s3/` on the main port.
    pub fn endpoint(&self) -> String {
        self.server().url("/s3/")
    }

    /// What the store holds under `bucket`/`key`.
    pub async fn stored(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let got = self
            .store
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .ok()?;
        Some(got.body.collect().await.unwrap().into_bytes().to_vec())
    }

    /// The store's own ETag of `bucket`/`key`.
    pub async fn etag(&self, bucket: &str, key: &str) -> String {
        let h = self
            .store
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        h.e_tag().unwrap().to_string()
    }
}

/// Runs `cmd` to completion; panics with its output when it fails.
pub fn run(what: &str, cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed: {text}");
    text
}

/// A file of `n` deterministic bytes at `path`.
pub fn write_file(path: &Path, n: usize, seed: u64) -> Vec<u8> {
    let data = crate::gateway::data(n, seed);
    std::fs::write(path, &data).unwrap();
    data
}

/// Whether `program` runs here.
pub fn have(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}
