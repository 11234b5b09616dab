//! A request body that stops arriving is the client's failure, answered within a bound.
//!
//! hyper bounds the wait for a request head (`HEADER_READ_TIMEOUT_SEC`, see [`listen`])
//! but not for its body: a client that announces a Content-Length and sends less holds a
//! handler that reads the body — and its connection — for as long as it likes. On the
//! routes that read a whole body outside the gateway (`/chat`, `/mcp`; the gateway's
//! uploads have their own no-progress timeout, `S3_TIMEOUT_SEC`), the body fails once
//! nothing arrived for `HEADER_READ_TIMEOUT_SEC`. A body that failed — stalled, or broken
//! by the client — is a 400, never the 5xx a service reading it may make of it.
//!
//! [`listen`]: super::listen

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::Frame;
use parking_lot::Mutex;
use tokio::time::Sleep;

use super::AppState;
use super::error::ApiError;
use crate::body::{End, Hooks, Observed};

/// The request body sent nothing for the allowed pause.
#[derive(Debug, thiserror::Error)]
#[error("no request body data for {0:?}")]
pub struct BodyStalled(Duration);

/// Why the body failed, if it did.
type Failure = Arc<Mutex<Option<String>>>;

/// The middleware: guards the request body; a server error after a failed body is a 400.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let idle = Duration::from_secs_f64(state.settings.knobs.header_read_timeout_sec);
    let failure = Failure::default();
    let hooks = Guarded {
        idle,
        stall: None,
        failure: failure.clone(),
    };
    let req = req.map(|inner| Body::new(Observed::new(inner, hooks)));
    let resp = next.run(req).await;
    let failed = failure.lock().take();
    match failed {
        Some(why) if resp.status().is_server_error() => {
            ApiError::bad_request(format!("the request body could not be read: {why}"))
                .into_response()
        }
        _ => resp,
    }
}

/// The hooks of the guarded body: a timer armed while the body waits for the client,
/// and the failure written down for the middleware.
struct Guarded {
    idle: Duration,
    /// Armed when the body waits for the client; disarmed by every frame.
    stall: Option<Pin<Box<Sleep>>>,
    failure: Failure,
}

impl Hooks for Guarded {
    type Error = axum::Error;

    fn on_frame(&mut self, _frame: &Frame<Bytes>) -> Result<(), axum::Error> {
        self.stall = None;
        Ok(())
    }

    fn on_pending(&mut self, cx: &mut Context<'_>) -> Poll<axum::Error> {
        let idle = self.idle;
        let stall = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        ready!(stall.as_mut().poll(cx));
        Poll::Ready(axum::Error::new(BodyStalled(idle)))
    }

    fn on_end(&mut self, end: End<'_, axum::Error>) {
        if let End::Failed(e) = end {
            *self.failure.lock() = Some(e.to_string());
        }
    }
}
