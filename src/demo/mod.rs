//! The embedded S3-compatible store behind `serve --demo`.
//!
//! s3s-fs serves a temporary directory over the S3 protocol on a loopback port, with
//! SigV4 authentication for one fixed key pair — a real S3 server, so every SpaceWatch
//! code path (SDK tools, signing, error mapping) runs exactly as against Spaces. Tests
//! use the same store.

mod seed;

use std::net::SocketAddr;

use hyper_util::rt::{TokioExecutor, TokioIo};
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use seed::{DEMO_BUCKETS, DEMO_LOG_BUCKET, DEMO_LOG_PREFIX, seed};

/// A running store; stopped and deleted when dropped.
#[derive(Debug)]
pub struct DemoStore {
    addr: SocketAddr,
    dir: tempfile::TempDir,
    task: JoinHandle<()>,
}

impl DemoStore {
    /// Starts an empty store on `127.0.0.1:<free port>` accepting one key pair.
    pub async fn start(key: &str, secret: &str) -> std::io::Result<Self> {
        Self::start_on(key, secret, "127.0.0.1:0").await
    }

    /// Starts an empty store on `bind`.
    pub async fn start_on(key: &str, secret: &str, bind: &str) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("spacewatch-demo-")
            .tempdir()?;
        let fs = s3s_fs::FileSystem::new(dir.path())
            .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(key, secret));
        let service = builder.build();
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let conn = http
                    .serve_connection(TokioIo::new(stream), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        Ok(Self { addr, dir, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory holding the buckets (one folder per bucket).
    pub fn root(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for DemoStore {
    fn drop(&mut self) {
        self.task.abort();
    }
}
