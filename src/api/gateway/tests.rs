//! The gateway's path matching held against a real axum router declaring the same
//! templates: the same template and the same decoded bucket and key (or the same 400
//! for a parameter that is not UTF-8), on a corpus of tricky paths, on both mounts.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Path};
use axum::routing::{MethodRouter, any};
use http::Request;
use tower::ServiceExt;

use super::routes::{self, Mount};

/// Answers `template|bucket|key` (parameters decoded by axum).
fn echo() -> MethodRouter {
    any(
        |matched: MatchedPath, Path(p): Path<HashMap<String, String>>| async move {
            let param = |n: &str| p.get(n).cloned().unwrap_or_default();
            format!("{}|{}|{}", matched.as_str(), param("bucket"), param("key"))
        },
    )
}

fn axum_routes(mount: Mount) -> Router {
    let [service, bucket, slash, object] = match mount {
        Mount::S3 => [
            "/s3/",
            "/s3/{bucket}",
            "/s3/{bucket}/",
            "/s3/{bucket}/{*key}",
        ],
        Mount::Root => ["/", "/{bucket}", "/{bucket}/", "/{bucket}/{*key}"],
    };
    let r = Router::new()
        .route(service, echo())
        .route(bucket, echo())
        .route(slash, echo())
        .route(object, echo());
    match mount {
        Mount::S3 => r.route("/s3", echo()),
        Mount::Root => r,
    }
}

/// What the gateway makes of `path`: status and `template|bucket|key`.
fn ours(path: &str, mount: Mount) -> (u16, String) {
    let Some(route) = routes::find(path, mount) else {
        return (404, String::new());
    };
    let decode = |name, raw: Option<&str>| match raw {
        None => Ok(String::new()),
        Some(raw) => super::forward::decoded(name, raw),
    };
    match (decode("bucket", route.bucket), decode("key", route.key)) {
        (Ok(b), Ok(k)) => (200, format!("{}|{b}|{k}", route.template)),
        (Err(e), _) | (_, Err(e)) => (400, e.message),
    }
}

const PATHS: &[&str] = &[
    "/s3",
    "/s3/",
    "/s3/b",
    "/s3/b/",
    "/s3/b/k",
    "/s3/b/k/",
    "/s3/b/dir/k.txt",
    "/s3/b/dir//k",
    "/s3//",
    "/s3//k",
    "/s3///",
    "/s3/b//",
    "/s3/b//k",
    "/s3/%62",
    "/s3/%62/",
    "/s3/b/%2F",
    "/s3/b%2Fc/k",
    "/s3/b%2F",
    "/s3/b/%FF",
    "/s3/%FF/k",
    "/s3/%FF",
    "/s3/%zz/k",
    "/s3/b/a%20b",
    "/s3/b/%E2%82%AC",
    "/s3/b/\u{fc}",
    "/s3/.",
    "/s3/..",
    "/s3/b/..",
    "/s3/b/./k",
    "/s3/b/k%",
    "/s3/{bucket}",
    "/s3/b/{*key}",
    "/s3/*",
];

#[tokio::test]
async fn matching_agrees_with_axums_on_both_mounts() {
    let mut checked = 0;
    for mount in [Mount::S3, Mount::Root] {
        let router = axum_routes(mount);
        for path in PATHS {
            let path = match mount {
                Mount::S3 => path.to_string(),
                Mount::Root => path.strip_prefix("/s3").unwrap().to_string(),
            };
            if path.is_empty() {
                continue;
            }
            let req = Request::builder().uri(&path).body(Body::empty()).unwrap();
            let resp = router.clone().oneshot(req).await.unwrap();
            let status = resp.status().as_u16();
            let text = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
            let text = String::from_utf8(text.to_vec()).unwrap();
            let (want_status, want_text) = ours(&path, mount);
            assert_eq!(status, want_status, "{path}: axum said {text:?}");
            if status == 200 {
                assert_eq!(text, want_text, "{path}");
            } else {
                assert!(
                    text.contains(want_text.trim_start_matches("Invalid URL: ")),
                    "{path}: {text} / {want_text}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, PATHS.len() * 2 - 1);
}

#[test]
fn only_s3_paths_are_the_gateways_on_the_main_port() {
    for other in [
        "/",
        "/s3x",
        "/S3/b",
        "/s",
        "/health",
        "/tools/buckets",
        "/s3x/b",
    ] {
        assert!(!routes::is_gateway(other), "{other}");
        assert!(routes::find(other, Mount::S3).is_none(), "{other}");
    }
    assert!(
        routes::find("/health", Mount::Root).is_some(),
        "the listener's paths are all S3's"
    );
}
