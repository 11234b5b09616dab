//! The HTTP client to the storage: one pooled hyper client for every tenant, and the
//! path-style URL of a request.

use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::chunked::ChunkError;
use super::progress::Progress;
use crate::storage::StorageError;

/// Why no response came back.
#[derive(Debug)]
pub enum SendError {
    Timeout,
    /// The storage waited for request body bytes the client did not send.
    ClientStalled,
    /// The request body failed: the client went away mid-upload.
    ClientBody,
    /// The request body was malformed or corrupted (a bad aws-chunked upload).
    BadBody(&'static str),
    Connect,
    Other,
}

impl SendError {
    /// A short, fixed description (span status text).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Timeout => "timed out waiting for the storage",
            Self::ClientStalled => "client stopped sending the request body",
            Self::ClientBody => "client closed the connection mid-upload",
            Self::BadBody(why) => why,
            Self::Connect => "cannot connect to the storage",
            Self::Other => "request to the storage failed",
        }
    }
}

impl From<SendError> for StorageError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Timeout => StorageError::timeout(),
            SendError::ClientStalled => StorageError::new(
                crate::storage::StorageErrorKind::ClientStalled,
                "client stopped sending the request body",
            ),
            SendError::Connect => StorageError::unreachable(),
            SendError::ClientBody | SendError::BadBody(_) | SendError::Other => {
                StorageError::failed()
            }
        }
    }
}

/// The pooled client.
#[derive(Clone, Debug)]
pub struct Upstream {
    client: Client<HttpsConnector<HttpConnector>, Body>,
    timeout: Duration,
}

impl Upstream {
    /// `timeout` (`S3_TIMEOUT_SEC`) bounds every stretch without progress: no request byte
    /// taken and no response headers. A body streams as long as it flows.
    pub fn new(timeout: Duration) -> Self {
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let tls = match builder.with_provider_and_native_roots(provider.clone()) {
            Ok(b) => b,
            // No system roots (a bare container): plain http still works.
            Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(
                rustls::ClientConfig::builder_with_provider(provider.into())
                    .with_safe_default_protocol_versions()
                    .map(|b| {
                        b.with_root_certificates(rustls::RootCertStore::empty())
                            .with_no_client_auth()
                    })
                    .unwrap_or_else(|_| unreachable!("aws-lc-rs supports the default versions")),
            ),
        };
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout.min(Duration::from_secs(10))));
        let connector = tls.https_or_http().enable_http1().wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(256)
            .build(connector);
        Self { client, timeout }
    }

    /// The no-progress timeout (`S3_TIMEOUT_SEC`).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends the (signed) request and waits for the response headers, giving up after
    /// `timeout` without progress. `progress` must be the one of the request's body.
    pub async fn send(
        &self,
        req: http::Request<Body>,
        progress: &Progress,
    ) -> Result<http::Response<Incoming>, SendError> {
        let tick = (self.timeout / 10).clamp(Duration::from_millis(10), Duration::from_millis(250));
        let fut = self.client.request(req);
        tokio::pin!(fut);
        loop {
            tokio::select! {
                r = &mut fut => return match r {
                    Ok(resp) => Ok(resp),
                    Err(e) if e.is_connect() => Err(SendError::Connect),
                    Err(e) => Err(classify(&e)),
                },
                _ = tokio::time::sleep(tick) => {
                    if progress.idle() >= self.timeout {
                        return Err(if progress.client_starved() {
                            SendError::ClientStalled
                        } else {
                            SendError::Timeout
                        });
                    }
                }
            }
        }
    }
}

/// A failure while sending the body is the client's when the body error came from it:
/// a corrupted upload, or a client that went away.
fn classify(e: &hyper_util::client::legacy::Error) -> SendError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut found = SendError::Other;
    while let Some(s) = source {
        if let Some(c) = s.downcast_ref::<ChunkError>() {
            return SendError::BadBody(c.0);
        }
        if s.is::<axum::Error>() {
            found = SendError::ClientBody;
        }
        source = s.source();
    }
    found
}
