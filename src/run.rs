//! `spacewatch serve`: start the demo store if asked, build the app, serve until a signal.

use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::{DEMO_SECRET, ServeArgs, Settings};
use crate::demo::{DEMO_LOG_BUCKET, DEMO_LOG_PREFIX, DemoStore};
use crate::server::{Runtime, app, build_state, serve as serve_router};

/// Runs the server with `args` until SIGINT or SIGTERM.
pub async fn serve(args: ServeArgs) -> Result<(), String> {
    let mut settings = Settings::from_args(&args).map_err(|e| e.to_string())?;
    let demo = if args.demo {
        let store = DemoStore::start(&args.demo_key, &args.demo_secret)
            .await
            .map_err(|e| format!("demo store: {e}"))?;
        let now = crate::telemetry::Clock::now(&crate::telemetry::SystemClock);
        crate::demo::seed(&store.endpoint(), &args.demo_key, &args.demo_secret, now).await?;
        settings.endpoint = Some(store.endpoint());
        Some(store)
    } else {
        None
    };
    let bind = settings.bind;
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
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
    if let Some(store) = &demo {
        announce_demo(&log, store, &args);
    }
    if state.settings.agent.is_none() {
        log.info("No AI agent configured (DO_AGENT_URL): /chat answers 503 until one is set");
    }
    let recorder = Arc::clone(&state.recorder);
    let otel = Arc::clone(&state.otel);
    serve_router(listener, app(state), shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
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
        "\n  Demo credentials (send as headers):\n    X-Spaces-Key: {}\n    X-Spaces-Secret: {secret}\n    X-Log-Bucket: {DEMO_LOG_BUCKET}\n    X-Log-Prefix: {DEMO_LOG_PREFIX}\n",
        args.demo_key
    );
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
