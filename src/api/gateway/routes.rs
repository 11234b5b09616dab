//! Where a gateway request points: the bucket and the key of its path-style path, still
//! percent-encoded, and the route template Mission Control counts it under. On the main
//! port the gateway is `/s3` (`/s3` and `/s3/` are the service, `/s3/{bucket}` and
//! `/s3/{bucket}/` a bucket, `/s3/{bucket}/{*key}` an object); on the S3 listener
//! (`--s3-listen`) the same paths start at `/`. The bucket is one segment (empty before
//! a `/`: the handler then refuses the name), the key all the rest — as axum's matcher
//! splits them (`tests.rs` holds the two side by side).

/// Where the gateway's paths start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mount {
    /// `/s3/…` on the main port.
    S3,
    /// `/…` on the S3 listener.
    Root,
}

/// A matched path: its template and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<'a> {
    pub template: &'static str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
}

/// The templates of a mount: service, bucket, bucket with a slash, object.
fn templates(m: Mount) -> [&'static str; 4] {
    match m {
        Mount::S3 => [
            "/s3/",
            "/s3/{bucket}",
            "/s3/{bucket}/",
            "/s3/{bucket}/{*key}",
        ],
        Mount::Root => ["/", "/{bucket}", "/{bucket}/", "/{bucket}/{*key}"],
    }
}

/// Whether `path` is the gateway's on the main port (matched or not).
pub fn is_gateway(path: &str) -> bool {
    path == "/s3" || path.starts_with("/s3/")
}

/// The route of `path` under `mount`, or `None` (not the gateway's).
pub fn find(path: &str, mount: Mount) -> Option<Route<'_>> {
    let [service, bucket_t, bucket_slash, object] = templates(mount);
    let rest = match mount {
        Mount::S3 if path == "/s3" => "",
        Mount::S3 => path.strip_prefix("/s3/")?,
        Mount::Root => path.strip_prefix('/')?,
    };
    let route = |template, bucket, key| Route {
        template,
        bucket,
        key,
    };
    if rest.is_empty() {
        let template = if path == "/s3" { "/s3" } else { service };
        return Some(route(template, None, None));
    }
    Some(match rest.split_once('/') {
        None => route(bucket_t, Some(rest), None),
        Some((bucket, "")) => route(bucket_slash, Some(bucket), None),
        Some((bucket, key)) => route(object, Some(bucket), Some(key)),
    })
}
