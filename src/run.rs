//! `spacewatch serve`: start the demo store if asked, build the app, serve until a signal.

use std::sync::Arc;

use tokio::net::TcpListener;

use crate::api::{app, s3_app};
use crate::config::{ConfigError, DEMO_SECRET, ServeArgs, Settings};
use crate::demo::{DEMO_LOG_BUCKET, DEMO_LOG_PREFIX, DEMO_METRICS_BUCKET, DemoStore, SeedError};
use crate::server::{Limits, Runtime, StartError, build_state, serve_with};

/// Why `serve` could not start, or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("demo store: {0}")]
    DemoStore(std::io::Error),
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error("cannot listen on {bind}: {source}")]
    Listen {
        bind: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot listen on {bind} (S3_LISTEN): {source}")]
    S3Listen {
        bind: std::net::SocketAddr,
        source: std::io::Error,
    },
    /// `SIGINT` or `SIGTERM`: its handler could not be installed.
    #[error("{signal} handler: {source}")]
    Signal {
        signal: &'static str,
        source: std::io::Error,
    },
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Snapshots(#[from] SchedulerError),
    /// Reading the listener's address, or the serve loop itself.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Why the snapshot scheduler's settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchedulerError {
    #[error("--snapshot-interval-sec needs SNAPSHOT_SPACES_KEY and SNAPSHOT_SPACES_SECRET")]
    NoCredentials,
    #[error("--snapshot-interval-sec needs SNAPSHOT_METRICS_BUCKET")]
    NoMetricsBucket,
    /// `setting` names a bucket that cannot exist.
    #[error("{setting} {name:?} is not a bucket name")]
    NotABucket { setting: &'static str, name: String },
    /// `setting` names a prefix the storage would normalise.
    #[error("{setting} {prefix:?}: {source}")]
    BadPrefix {
        setting: &'static str,
        prefix: String,
        source: crate::storage::KeyError,
    },
}

/// Runs the server with `args` until SIGINT or SIGTERM.
pub async fn serve(args: ServeArgs) -> Result<(), ServeError> {
    let mut settings = Settings::from_args(&args)?;
    let demo = if args.demo {
        let store = DemoStore::start(&args.demo_key, &args.demo_secret)
            .await
            .map_err(ServeError::DemoStore)?;
        let now = crate::telemetry::Clock::now(&crate::telemetry::SystemClock);
        crate::demo::seed(&store.endpoint(), &args.demo_key, &args.demo_secret, now).await?;
        settings.endpoint = Some(store.endpoint());
        settings.demo = Some(crate::config::DemoOffer::new(
            &args.demo_key,
            &args.demo_secret,
        ));
        Some(store)
    } else {
        None
    };
    let bind = settings.bind;
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|source| ServeError::Listen { bind, source })?;
    let local = listener.local_addr()?;
    let s3_listener = match settings.gateway.s3_listen {
        Some(bind) => Some(
            TcpListener::bind(bind)
                .await
                .map_err(|source| ServeError::S3Listen { bind, source })?,
        ),
        None => None,
    };
    let shutdown = shared(shutdown_signal()?);
    // The replica's default identity names the port it really got (port 0: any).
    settings.bound_to(local);
    let state = build_state(settings, Runtime::production())?;
    let log = Arc::clone(&state.log);
    log.info(&format!(
        "SpaceWatch {} listening on http://{local}",
        env!("CARGO_PKG_VERSION")
    ));
    if let Some(fleet) = &state.fleet {
        log.info(&format!(
            "Fleet view on: /fleet/operations from {} (instance {})",
            fleet.engine_url(),
            state.settings.instance_id
        ));
    }
    let s3_server = match s3_listener {
        Some(l) => {
            let s3_local = l.local_addr()?;
            log.info(&format!("S3 gateway at the root of http://{s3_local}"));
            let limits = Limits::new(&state.settings.knobs, state.proxies.clone());
            let stop = shutdown.clone();
            Some(tokio::spawn(serve_with(
                l,
                s3_app(state.clone()),
                limits,
                stop,
            )))
        }
        None => None,
    };
    if let Some(store) = &demo {
        announce_demo(&log, store, &args);
        announce_gateway(&state, local, &args);
    }
    if state.settings.agent.is_none() {
        log.info("No AI agent configured (DO_AGENT_URL): /chat answers 503 until one is set");
    }
    let _scheduler = scheduler(&args, &state)?;
    let recorder = Arc::clone(&state.recorder);
    let otel = Arc::clone(&state.otel);
    let limits = Limits::new(&state.settings.knobs, state.proxies.clone());
    serve_with(listener, app(state), limits, shutdown.clone()).await?;
    if let Some(s3) = s3_server {
        let _ = s3.await;
    }
    // Requests in flight have finished; write out what the export task has not yet.
    recorder.flush().await;
    otel.shutdown().await;
    log.info("SpaceWatch stopped");
    Ok(())
}

/// Prints the demo banner on stderr. The documented default secret is shown so the
/// curl examples can be copied; a secret given with `--demo-secret` is never printed.
fn announce_demo(log: &crate::telemetry::log::LogSink, store: &DemoStore, args: &ServeArgs) {
    log.info(&format!("Demo store (embedded S3) at {}", store.endpoint()));
    let secret = if args.demo_secret == DEMO_SECRET {
        DEMO_SECRET
    } else {
        "<the value of --demo-secret>"
    };
    eprintln!(
        "\n  Demo credentials (send as headers):\n    X-Spaces-Key: {}\n    X-Spaces-Secret: {secret}\n    X-Log-Bucket: {DEMO_LOG_BUCKET}\n    X-Log-Prefix: {DEMO_LOG_PREFIX}\n    X-Metrics-Bucket: {DEMO_METRICS_BUCKET}\n",
        args.demo_key
    );
}

/// The demo's gateway: credentials for standard S3 tools, and a ready aws-cli line. Shown
/// only with the documented demo secret (like the demo banner).
fn announce_gateway(
    state: &crate::server::AppState,
    local: std::net::SocketAddr,
    args: &ServeArgs,
) {
    if args.demo_secret != DEMO_SECRET {
        return;
    }
    let expires = std::time::SystemTime::now() + crate::tenant::sealed::MAX_TTL;
    let issued = state.seal.issue(&crate::tenant::sealed::Sealed {
        key: args.demo_key.clone(),
        secret: crate::config::Secret::new(DEMO_SECRET),
        endpoint: state.default_endpoint(),
        region: state.settings.region.clone(),
        expires,
    });
    let host = match local.ip().is_unspecified() {
        true => format!("localhost:{}", local.port()),
        false => local.to_string(),
    };
    let root = match state.settings.gateway.s3_listen {
        Some(a) => format!(
            "  S3 at the root (s3cmd, mc): http://localhost:{}",
            a.port()
        ),
        None => {
            "  S3 at the root of its own port (s3cmd, mc): add --s3-listen 127.0.0.1:9000".into()
        }
    };
    eprintln!(
        "  S3 gateway for aws-cli, rclone, boto3 (credentials valid 7 days{}):\n    \
         AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} AWS_SESSION_TOKEN={} \
         AWS_DEFAULT_REGION={} aws s3 ls --endpoint-url http://{host}/s3/\n{root}\n",
        if state.seal.ephemeral {
            ", for this process"
        } else {
            ""
        },
        issued.access_key_id,
        issued.secret_access_key.expose(),
        issued.session_token,
        state.settings.region,
    );
}

/// A future any number of servers can wait on.
fn shared(
    f: impl std::future::Future<Output = ()> + Send + 'static,
) -> futures_util::future::Shared<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>> {
    use futures_util::FutureExt;
    let boxed: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> = Box::pin(f);
    boxed.shared()
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed now, when this is
/// called — not when the future is first polled — so a signal that arrives right after
/// start-up (the address is already announced) stops the server instead of killing it.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static, ServeError> {
    use tokio::signal::unix::{SignalKind, signal};
    let handler = |kind, name: &'static str| {
        signal(kind).map_err(|source| ServeError::Signal {
            signal: name,
            source,
        })
    };
    let mut int = handler(SignalKind::interrupt(), "SIGINT")?;
    let mut term = handler(SignalKind::terminate(), "SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
    })
}
/// Starts the snapshot scheduler when `--snapshot-interval-sec` asks for one. With
/// `--demo` and no credentials given, it snapshots the demo store as the demo tenant.
fn scheduler(
    args: &ServeArgs,
    state: &crate::server::AppState,
) -> Result<Option<tokio::task::JoinHandle<()>>, SchedulerError> {
    use crate::accesslog::snapshot::scheduler::{Deps, Schedule, spawn};
    use crate::config::Secret;
    use crate::storage::BucketName;
    use crate::tenant::{Credentials, Tenant};
    let s = &args.snapshots;
    if s.interval_sec == 0 {
        return Ok(None);
    }
    let demo = args.demo && s.key.is_none();
    let (key, secret) = match (&s.key, &s.secret) {
        (Some(k), Some(v)) => (k.clone(), v.clone()),
        _ if demo => (args.demo_key.clone(), args.demo_secret.clone()),
        _ => return Err(SchedulerError::NoCredentials),
    };
    let bucket = |name: &str, setting: &'static str| {
        BucketName::parse(name).ok_or_else(|| SchedulerError::NotABucket {
            setting,
            name: name.to_string(),
        })
    };
    let pick = |given: &Option<String>, demo_default: &str| {
        given
            .clone()
            .or_else(|| demo.then(|| demo_default.to_string()))
    };
    let metrics = pick(&s.metrics_bucket, crate::demo::DEMO_METRICS_BUCKET)
        .ok_or(SchedulerError::NoMetricsBucket)?;
    let metrics_bucket = bucket(&metrics, "SNAPSHOT_METRICS_BUCKET")?;
    let log_bucket = pick(&s.log_bucket, DEMO_LOG_BUCKET)
        .map(|b| bucket(&b, "SNAPSHOT_LOG_BUCKET"))
        .transpose()?;
    let prefix = |p: &str, setting: &'static str| {
        crate::storage::KeyPrefix::parse(p).map_err(|source| SchedulerError::BadPrefix {
            setting,
            prefix: p.to_string(),
            source,
        })
    };
    let log_prefix = if demo && s.log_prefix.is_empty() {
        DEMO_LOG_PREFIX
    } else {
        &s.log_prefix
    };
    let log_prefix = prefix(log_prefix, "SNAPSHOT_LOG_PREFIX")?;
    let creds = Credentials {
        key,
        secret: Secret::new(secret),
        region: state.tenants.region.clone(),
        endpoint: state.default_endpoint(),
        log_bucket,
        metrics_bucket: Some(metrics_bucket.clone()),
        log_prefix,
        metrics_prefix: prefix(&s.metrics_prefix, "SNAPSHOT_METRICS_PREFIX")?,
    };
    let buckets = s
        .buckets
        .iter()
        .filter(|b| !b.trim().is_empty())
        .map(|b| bucket(b.trim(), "SNAPSHOT_BUCKETS"))
        .collect::<Result<Vec<_>, _>>()?;
    let schedule = Schedule {
        interval: std::time::Duration::from_secs(s.interval_sec),
        buckets,
        tenant: Tenant::new(creds, &state.clients),
        metrics_bucket,
    };
    state.log.info(&format!(
        "Snapshot scheduler: every {} s into {}",
        s.interval_sec, metrics
    ));
    Ok(Some(spawn(
        schedule,
        Deps {
            reader: state.logs.clone(),
            locks: state.snapshot_locks.clone(),
            counters: state.counters.clone(),
            log: state.log.clone(),
            clock: state.recorder.clock().clone(),
        },
    )))
}
