//! The dispatch's routing held against a real axum router with the routes the gateway
//! had as axum routes: the same template, operation, decoded parameters, 404, 405 and
//! `Allow`, and the same 400 for a parameter that is not UTF-8, for every method on a
//! corpus of tricky paths.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Path};
use axum::routing::{MethodRouter, delete, get, head, put};
use http::{Method, Request};
use tower::ServiceExt;

use super::decoded;
use super::routes::{self, Target};
use crate::telemetry::OperationType as Op;

/// Answers `template|operation|route|bucket|key` (parameters decoded by axum).
fn echo(op: Op, route: &'static str) -> MethodRouter {
    let answer = move |matched: MatchedPath, Path(p): Path<HashMap<String, String>>| async move {
        let param = |n: &str| p.get(n).cloned().unwrap_or_default();
        format!(
            "{}|{}|{route}|{}|{}",
            matched.as_str(),
            op.as_str(),
            param("bucket"),
            param("key")
        )
    };
    get(answer)
}

/// The gateway's routes as they were declared with axum (`api::routes`, before the
/// dispatch): the same paths, method routers and fallbacks.
fn axum_routes() -> Router {
    const OBJECT: &str = "/s3/{bucket}/{*key}";
    let object = |op: Op| {
        move |matched: MatchedPath, Path((b, k)): Path<(String, String)>| async move {
            format!("{}|{}|{OBJECT}|{b}|{k}", matched.as_str(), op.as_str())
        }
    };
    Router::new()
        .route("/s3", echo(Op::ListBuckets, "/s3/"))
        .route("/s3/", echo(Op::ListBuckets, "/s3/"))
        .route("/s3/{bucket}", echo(Op::ListObjects, "/s3/{bucket}"))
        .route("/s3/{bucket}/", echo(Op::ListObjects, "/s3/{bucket}"))
        .route(
            OBJECT,
            get(object(Op::GetObject))
                .merge(put(object(Op::PutObject)))
                .merge(head(object(Op::HeadObject)))
                .merge(delete(object(Op::DeleteObject))),
        )
        .fallback(|| async { (http::StatusCode::NOT_FOUND, "Not Found") })
        .method_not_allowed_fallback(|| async {
            (http::StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        })
}

/// What the dispatch decides for `method` on `path`: status, text, `Allow`.
fn dispatch(method: &Method, path: &str) -> (u16, String, Option<String>) {
    let Some(route) = routes::find(path) else {
        return (404, "Not Found".into(), None);
    };
    let Some(op) = routes::operation(&route.target, method) else {
        let allow = routes::allow(&route.target).to_string();
        return (405, "Method Not Allowed".into(), Some(allow));
    };
    let (bucket, key) = match route.target {
        Target::Buckets => ("", ""),
        Target::Objects { bucket } => (bucket, ""),
        Target::Object { bucket, key } => (bucket, key),
    };
    let decode = |name, raw: &str| match raw {
        "" => Ok(String::new()),
        raw => decoded(name, raw),
    };
    match (decode("bucket", bucket), decode("key", key)) {
        (Ok(b), Ok(k)) => {
            let text = format!(
                "{}|{}|{}|{b}|{k}",
                route.template,
                op.operation.as_str(),
                op.route
            );
            (200, text, None)
        }
        (Err(e), _) | (_, Err(e)) => (400, e.detail, None),
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
async fn routing_matches_axums_for_every_method_and_path() {
    let router = axum_routes();
    let methods = [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::POST,
        Method::PATCH,
        Method::OPTIONS,
    ];
    let mut checked = 0;
    for path in PATHS {
        assert!(routes::is_gateway(path), "{path}");
        for method in &methods {
            let req = Request::builder()
                .method(method.clone())
                .uri(*path)
                .body(Body::empty())
                .unwrap();
            let resp = router.clone().oneshot(req).await.unwrap();
            let status = resp.status().as_u16();
            let allow = resp
                .headers()
                .get(http::header::ALLOW)
                .map(|v| v.to_str().unwrap().to_string());
            let text = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
            let text = String::from_utf8(text.to_vec()).unwrap();
            let (want_status, want_text, want_allow) = dispatch(method, path);
            assert_eq!(status, want_status, "{method} {path}: axum said {text:?}");
            // The same methods; axum lists HEAD twice on the object route (its `get`
            // adds GET,HEAD, then `head` HEAD again), the dispatch once.
            assert_eq!(methods_of(allow), methods_of(want_allow), "{method} {path}");
            // HEAD answers carry no body in axum; the rest must say the same.
            if method != Method::HEAD {
                assert_eq!(text, want_text, "{method} {path}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, PATHS.len() * methods.len());
}

fn methods_of(allow: Option<String>) -> Option<std::collections::BTreeSet<String>> {
    allow.map(|a| a.split(',').map(str::to_string).collect())
}

#[test]
fn only_s3_paths_are_the_gateways() {
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
    }
}
