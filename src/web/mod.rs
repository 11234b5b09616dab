//! The browser dashboard (`/`) and Mission Control (`/admin`), embedded in the binary.
//!
//! Every byte the pages use is here, compiled in with `include_bytes!`: HTML, one
//! stylesheet, ES modules, an SVG icon. No CDN, no web font, no inline script or style,
//! so the [`CONTENT_SECURITY_POLICY`] can forbid everything but this server. Charts are
//! drawn as SVG by `charts.js`; numbers are formatted for people by `format.js` (pure
//! functions, no DOM). The pages talk only to the JSON API of this server:
//!
//! - `dashboard.js` → `health.js` (`GET /health`, the Storage Operations Health panel),
//!   `credentials.js` (the dialog; `POST /validate-credentials`), `storage.js`
//!   (`/tools/buckets`, `list-all`, `storage-summary`, `top-largest`, the threshold
//!   alert), `snapshots.js` (`/metrics/series`, `/metrics/top-ips`), `chat.js`
//!   (`POST /chat`), all through `api.js` (tenant headers, errors).
//! - `admin.js` → `/admin/api/mission-control`, `timeseries`, `events` with `X-API-Key`.

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!("assets/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Only this server, for everything; no inline code, no frames, no forms posting away.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// `/`, `/dashboard`, `/config`.
pub static DASHBOARD: Asset = asset!("dashboard.html", "text/html; charset=utf-8");
/// `/admin`.
pub static ADMIN: Asset = asset!("admin.html", "text/html; charset=utf-8");

/// Files under `/static/`.
static ASSETS: [Asset; 14] = [
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("format.js", JS),
    asset!("dom.js", JS),
    asset!("api.js", JS),
    asset!("charts.js", JS),
    asset!("health.js", JS),
    asset!("credentials.js", JS),
    asset!("storage.js", JS),
    asset!("threshold.js", JS),
    asset!("snapshots.js", JS),
    asset!("chat.js", JS),
    asset!("dashboard.js", JS),
    asset!("admin.js", JS),
];

/// The file `/static/{name}`, if there is one.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

#[cfg(test)]
mod tests;
