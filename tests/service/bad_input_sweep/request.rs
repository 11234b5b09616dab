//! The requests of the sweep: every route with a valid request's method, target and
//! credentials, and a builder that sets any header to any bytes.

use crate::support::{KEY, SECRET};

pub const ADMIN_KEY: &str = "sweep-admin-key-0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No credentials needed.
    Public,
    /// `Authorization: Bearer <APP_API_KEY>` (`METRICS_AUTH=bearer`).
    Bearer,
    /// `X-API-Key`.
    Admin,
    /// The tenant's storage credentials.
    Tenant,
}

/// Every route of `src/api/mod.rs`, with a valid request's method, target and auth.
pub const ROUTES: &[(&str, &str, Auth)] = &[
    ("GET", "/health", Auth::Public),
    ("GET", "/metrics", Auth::Bearer),
    ("GET", "/metrics/operations", Auth::Admin),
    ("GET", "/logs/operations", Auth::Admin),
    ("GET", "/stats", Auth::Admin),
    ("GET", "/admin/api/anything", Auth::Admin),
    ("GET", "/admin/api/mission-control", Auth::Admin),
    ("GET", "/admin/api/timeseries", Auth::Admin),
    ("GET", "/admin/api/events", Auth::Admin),
    ("GET", "/tools/buckets", Auth::Tenant),
    ("GET", "/tools/list-all?bucket=alpha", Auth::Tenant),
    ("GET", "/tools/storage-summary?bucket=alpha", Auth::Tenant),
    ("GET", "/tools/top-largest?bucket=alpha", Auth::Tenant),
    ("GET", "/tools/recent-objects?bucket=alpha", Auth::Tenant),
    ("POST", "/validate-credentials", Auth::Tenant),
    ("GET", "/s3", Auth::Tenant),
    ("GET", "/s3/", Auth::Tenant),
    ("GET", "/s3/alpha", Auth::Tenant),
    ("GET", "/s3/alpha/", Auth::Tenant),
    ("GET", "/s3/alpha/dir/obj-0000", Auth::Tenant),
    ("HEAD", "/s3/alpha/dir/obj-0000", Auth::Tenant),
    ("PUT", "/s3/alpha/sweep.bin", Auth::Tenant),
    ("DELETE", "/s3/alpha/sweep-gone.bin", Auth::Tenant),
    ("GET", "/logs/access/files", Auth::Tenant),
    (
        "GET",
        "/logs/access/read?key=access-logs/none.log",
        Auth::Tenant,
    ),
    ("GET", "/logs/access/search", Auth::Tenant),
    (
        "GET",
        "/logs/access/object-audit?object_key=dir/obj-0000",
        Auth::Tenant,
    ),
    ("GET", "/logs/access/hot-prefixes", Auth::Tenant),
    ("GET", "/logs/access/request-metrics", Auth::Tenant),
    ("GET", "/metrics/top-ips", Auth::Tenant),
    ("GET", "/plots/top-ips.png", Auth::Tenant),
    (
        "POST",
        "/metrics/snapshot?source_bucket=alpha",
        Auth::Tenant,
    ),
    ("POST", "/trigger-snapshot-all", Auth::Tenant),
    ("GET", "/metrics/sources", Auth::Tenant),
    ("GET", "/metrics/series?source_bucket=alpha", Auth::Tenant),
    ("GET", "/metrics/aggregate-series", Auth::Tenant),
    ("POST", "/chat", Auth::Tenant),
    ("POST", "/mcp", Auth::Tenant),
    ("GET", "/", Auth::Public),
    ("GET", "/dashboard", Auth::Public),
    ("GET", "/config", Auth::Public),
    ("GET", "/admin", Auth::Public),
    ("GET", "/static/app.css", Auth::Public),
    ("GET", "/api/ui-config", Auth::Public),
];

/// The body of a valid request to `target`, with its content type (none for most).
fn valid_body(target: &str) -> Option<(&'static str, &'static str)> {
    match target {
        "/chat" => Some(("application/json", r#"{"message": "How big is alpha?"}"#)),
        "/mcp" => Some((
            "application/json",
            r#"{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}"#,
        )),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct Req {
    pub method: Vec<u8>,
    pub target: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Req {
    /// The valid request of a route.
    pub fn of(method: &str, target: &str, auth: Auth) -> Self {
        let mut r = Req {
            method: method.as_bytes().to_vec(),
            target: target.as_bytes().to_vec(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        match auth {
            Auth::Public => {}
            Auth::Bearer => r.set("Authorization", format!("Bearer {ADMIN_KEY}")),
            Auth::Admin => r.set("X-API-Key", ADMIN_KEY),
            Auth::Tenant => {
                r.set("X-Spaces-Key", KEY);
                r.set("X-Spaces-Secret", SECRET);
                // Where the access-log and snapshot routes look (both exist, empty).
                r.set("X-Log-Bucket", "beta");
                r.set("X-Metrics-Bucket", "gamma");
            }
        }
        if target == "/mcp" {
            r.set("Accept", "application/json, text/event-stream");
        }
        match valid_body(target) {
            Some((ct, body)) => r.with("Content-Type", ct).body(body.as_bytes().to_vec()),
            None if method == "PUT" || method == "POST" => r.with("Content-Length", "0"),
            None => r,
        }
    }

    pub fn set(&mut self, name: &str, value: impl AsRef<[u8]>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.as_ref().to_vec()));
    }

    pub fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn with(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.set(name, value);
        self
    }

    /// Adds a header, keeping any of the same name.
    pub fn also(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers.push((name.into(), value.as_ref().to_vec()));
        self
    }

    pub fn target(mut self, target: impl AsRef<[u8]>) -> Self {
        self.target = target.as_ref().to_vec();
        self
    }

    pub fn method(mut self, method: &str) -> Self {
        self.method = method.as_bytes().to_vec();
        self
    }

    /// Adds `extra` to the query string.
    pub fn query(self, extra: &str) -> Self {
        let sep = if self.target.contains(&b'?') {
            "&"
        } else {
            "?"
        };
        let mut t = self.target.clone();
        t.extend_from_slice(format!("{sep}{extra}").as_bytes());
        self.target(t)
    }

    /// A body with its true Content-Length.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.set("Content-Length", body.len().to_string());
        self.body = body;
        self
    }

    pub fn head(&self, host: &str) -> Vec<u8> {
        let mut h = self.method.clone();
        h.push(b' ');
        h.extend_from_slice(&self.target);
        h.extend_from_slice(format!(" HTTP/1.1\r\nHost: {host}").as_bytes());
        for (n, v) in &self.headers {
            h.extend_from_slice(format!("\r\n{n}: ").as_bytes());
            h.extend_from_slice(v);
        }
        h
    }
}
