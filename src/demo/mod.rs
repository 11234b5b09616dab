//! The embedded S3-compatible store behind `serve --demo`, and behind the tests.
//!
//! s3s-fs serves a temporary directory over the S3 protocol on a loopback port, with
//! SigV4 authentication — a real S3 server, so every SpaceWatch code path (SDK tools,
//! signing, error mapping) runs exactly as against Spaces. Keys own the buckets they
//! create ([`Accounts`]), and the store counts what it served ([`Served`]).

pub mod access_logs;
mod accounts;
mod counting;
mod seed;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey, SimpleAuth};
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{S3Result, s3_error};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use accounts::{AccountFs, Accounts};
pub use counting::Served;
pub use seed::{
    DEMO_BUCKETS, DEMO_LOG_BUCKET, DEMO_LOG_PREFIX, DEMO_METRICS_BUCKET, SeedError, seed,
};

/// How to run a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Key pairs accepted (SigV4); each key owns the buckets it creates.
    pub users: Vec<(String, String)>,
    /// Keys whose ListBuckets is denied.
    pub restricted: Vec<String>,
    /// Let unsigned requests GET and HEAD objects (public-read objects; a load generator
    /// that cannot sign).
    pub anonymous_reads: bool,
    pub bind: String,
}

impl StoreOptions {
    /// One user, on a free loopback port.
    pub fn single(key: &str, secret: &str) -> Self {
        Self {
            users: vec![(key.into(), secret.into())],
            restricted: Vec::new(),
            anonymous_reads: false,
            bind: "127.0.0.1:0".into(),
        }
    }
}

/// A running store; stopped and deleted when dropped.
#[derive(Debug)]
pub struct DemoStore {
    addr: SocketAddr,
    dir: tempfile::TempDir,
    served: Served,
    open: Arc<AtomicUsize>,
    stopping: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Signed requests may do anything their account allows; unsigned ones only read.
struct AnonymousReads;

#[async_trait::async_trait]
impl S3Access for AnonymousReads {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let read = matches!(cx.s3_op().name(), "GetObject" | "HeadObject");
        if cx.credentials().is_some() || read {
            Ok(())
        } else {
            Err(s3_error!(AccessDenied, "Signature is required"))
        }
    }
}

/// The store's keys; an unknown key is `InvalidAccessKeyId`, as Spaces answers it
/// (s3s's `SimpleAuth` says `NotSignedUp`).
struct Keys(SimpleAuth);

#[async_trait::async_trait]
impl S3Auth for Keys {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.0.lookup(access_key) {
            Some(secret) => Ok(secret.clone()),
            None => Err(s3_error!(InvalidAccessKeyId)),
        }
    }
}

impl DemoStore {
    /// Starts an empty store on `127.0.0.1:<free port>` accepting one key pair.
    pub async fn start(key: &str, secret: &str) -> std::io::Result<Self> {
        Self::start_with(StoreOptions::single(key, secret)).await
    }

    /// Starts an empty store as `options` says.
    pub async fn start_with(options: StoreOptions) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("spacewatch-demo-")
            .tempdir()?;
        let service = build_service(&options, dir.path())?;
        let listener = TcpListener::bind(&options.bind).await?;
        let addr = listener.local_addr()?;
        let served = Served::default();
        let open = Arc::new(AtomicUsize::new(0));
        let (stopping, stop_rx) = watch::channel(false);
        let conns = Conns {
            served: served.clone(),
            open: open.clone(),
            stop: stop_rx,
        };
        let task = tokio::spawn(accept_loop(listener, service, conns));
        Ok(Self {
            addr,
            dir,
            served,
            open,
            stopping,
            task,
        })
    }

    /// The requests this store served, by S3 API and status class.
    pub fn served(&self) -> &Served {
        &self.served
    }

    /// Stops serving: the listener closes and every open connection is dropped, as when
    /// the server process dies. The files stay until the store is dropped.
    pub fn stop(&self) {
        self.task.abort();
        let _ = self.stopping.send(true);
    }

    /// Client connections open right now.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
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

fn build_service(o: &StoreOptions, root: &std::path::Path) -> std::io::Result<S3Service> {
    let fs = s3s_fs::FileSystem::new(root).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let accounts = Arc::new(Accounts::new(
        o.restricted.iter().cloned(),
        o.anonymous_reads,
    ));
    let mut builder = S3ServiceBuilder::new(AccountFs::new(fs, accounts));
    let mut auth = SimpleAuth::new();
    for (key, secret) in &o.users {
        auth.register(key.clone(), secret.clone().into());
    }
    builder.set_auth(Keys(auth));
    if o.anonymous_reads {
        builder.set_access(AnonymousReads);
    }
    Ok(builder.build())
}

/// What every connection task shares.
struct Conns {
    served: Served,
    open: Arc<AtomicUsize>,
    stop: watch::Receiver<bool>,
}

/// Serves connections, counting every request by S3 API and status, and the open
/// connections.
async fn accept_loop(listener: TcpListener, service: S3Service, conns: Conns) {
    let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (service, served) = (service.clone(), conns.served.clone());
        let counted = hyper::service::service_fn(move |req: http::Request<Incoming>| {
            let api = counting::classify(&req);
            let (service, served) = (service.clone(), served.clone());
            async move {
                let resp = hyper::service::Service::call(&service, req).await?;
                served.count(api, resp.status().as_u16());
                Ok::<_, s3s::HttpError>(resp)
            }
        });
        let conn = http
            .serve_connection(TokioIo::new(stream), counted)
            .into_owned();
        let (open, mut stop) = (conns.open.clone(), conns.stop.clone());
        open.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            tokio::select! {
                _ = conn => {}
                _ = stop.wait_for(|s| *s) => {}
            }
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

impl Drop for DemoStore {
    fn drop(&mut self) {
        self.stop();
    }
}
