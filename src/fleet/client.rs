//! A client of the Prometheus HTTP query API: `GET /api/v1/query` and
//! `/api/v1/query_range`, with basic or bearer auth and one timeout that covers the
//! whole exchange (connect, headers, body), so a stalled engine is an error, not a hang.
//!
//! It follows no redirect: the engine's credentials go to the configured URL and nowhere
//! else, and a 3xx answer is an engine error that names where it pointed (without its
//! query), so the operator can configure the final URL.

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use url::Url;

use super::error::{FleetConfigError, FleetError, capped};
use super::wire::{self, Answer, Sample, Series, WireError};
use crate::config::{EngineAuth, EngineConfig};

/// Largest answer read from the engine; the fleet queries answer kilobytes.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The HTTP side of the fleet view.
#[derive(Debug, Clone)]
pub struct EngineClient {
    base: Url,
    auth: Option<HeaderValue>,
    timeout: Duration,
    http: reqwest::Client,
}

impl EngineClient {
    pub fn new(config: &EngineConfig) -> Result<Self, FleetConfigError> {
        let auth = match &config.auth {
            EngineAuth::None => None,
            EngineAuth::Basic { user, password } => {
                use base64::Engine as _;
                let pair = format!("{user}:{}", password.as_ref().map_or("", |p| p.expose()));
                let b64 = base64::engine::general_purpose::STANDARD.encode(pair);
                Some(format!("Basic {b64}"))
            }
            EngineAuth::Bearer(t) => Some(format!("Bearer {}", t.expose())),
        };
        let auth = auth
            .map(|v| {
                let mut h = HeaderValue::from_str(&v).map_err(|_| FleetConfigError::Credentials)?;
                h.set_sensitive(true);
                Ok::<_, FleetConfigError>(h)
            })
            .transpose()?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| FleetConfigError::Client(e.to_string()))?;
        Ok(Self {
            base: config.url.clone(),
            auth,
            timeout: config.timeout,
            http,
        })
    }

    /// The engine's URL as shown to people (it never holds credentials).
    pub fn url(&self) -> &str {
        self.base.as_str()
    }

    /// An instant query evaluated at `time` (Unix seconds).
    pub async fn query(&self, expr: &str, time: f64) -> Result<Answer<Vec<Sample>>, FleetError> {
        let params = [("query", expr.to_string()), ("time", format!("{time:.3}"))];
        let body = self.get("api/v1/query", &params).await?;
        wire::parse_vector(&body).map_err(|e| self.wire_error(e))
    }

    /// A range query over `[start, end]` every `step` seconds.
    pub async fn query_range(
        &self,
        expr: &str,
        start: f64,
        end: f64,
        step: u64,
    ) -> Result<Answer<Vec<Series>>, FleetError> {
        let params = [
            ("query", expr.to_string()),
            ("start", format!("{start:.3}")),
            ("end", format!("{end:.3}")),
            ("step", step.to_string()),
        ];
        let body = self.get("api/v1/query_range", &params).await?;
        wire::parse_matrix(&body).map_err(|e| self.wire_error(e))
    }

    fn endpoint(&self, path: &str, params: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        let prefix = self.base.path().trim_end_matches('/');
        url.set_path(&format!("{prefix}/{path}"));
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
            // The engine gives up too, instead of computing an answer nobody waits for.
            q.append_pair("timeout", &format!("{}ms", self.timeout.as_millis().max(1)));
        }
        url
    }

    /// One GET; the body of any answer the engine gives (errors are JSON too).
    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<Vec<u8>, FleetError> {
        let mut req = self
            .http
            .get(self.endpoint(path, params))
            .header(ACCEPT, "application/json");
        if let Some(auth) = &self.auth {
            req = req.header(AUTHORIZATION, auth.clone());
        }
        let mut resp = req.send().await.map_err(|e| self.transport_error(e))?;
        let status = resp.status();
        if status.is_redirection() {
            return Err(self.redirected(status.as_u16(), resp.headers()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(e))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(FleetError::BadResponse {
                    url: self.url().to_string(),
                    reason: format!("an answer larger than {MAX_BODY} bytes"),
                });
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return Ok(body);
        }

        // The API's own errors are JSON with errorType; a proxy's are not.
        Err(match wire::parse_vector(&body) {
            Err(WireError::Engine {
                error_type,
                message,
            }) => FleetError::Engine {
                url: self.url().to_string(),
                status: status.as_u16(),
                error_type,
                message,
            },
            _ => FleetError::Engine {
                url: self.url().to_string(),
                status: status.as_u16(),
                error_type: "http".into(),
                message: capped(&String::from_utf8_lossy(&body[..body.len().min(400)])),
            },
        })
    }

    /// A 3xx: not followed, and said where it pointed (scheme, host and path only).
    fn redirected(&self, status: u16, headers: &reqwest::header::HeaderMap) -> FleetError {
        let to = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| self.base.join(l).ok())
            .map(|mut u| {
                let _ = u.set_username("");
                let _ = u.set_password(None);
                u.set_query(None);
                u.set_fragment(None);
                u.to_string()
            })
            .unwrap_or_else(|| "nowhere valid".into());
        FleetError::Engine {
            url: self.url().to_string(),
            status,
            error_type: "redirect".into(),
            message: capped(&format!(
                "a redirect to {to}, not followed: the engine's credentials go to the configured \
                 URL only; configure the URL it redirects to"
            )),
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> FleetError {
        let url = self.url().to_string();
        if e.is_timeout() {
            return FleetError::Timeout {
                url,
                timeout: self.timeout,
            };
        }
        // The error's own text names the request URL; ours is the base, without the query.
        let e = e.without_url();
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            reason.push_str(&format!(": {s}"));
            source = s.source();
        }
        FleetError::Unreachable {
            url,
            reason: capped(&reason),
        }
    }

    fn wire_error(&self, e: WireError) -> FleetError {
        let url = self.url().to_string();
        match e {
            WireError::Engine {
                error_type,
                message,
            } => FleetError::Engine {
                url,
                status: 200,
                error_type,
                message,
            },
            WireError::Shape(reason) => FleetError::BadResponse { url, reason },
        }
    }
}

#[cfg(test)]
mod tests;
