//! The engine client against real HTTP servers (tiny hyper servers on two loopback
//! addresses, so "another host" is another IP): a redirect is an engine error and the
//! engine's credentials never reach the host it points to.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use parking_lot::Mutex;
use url::Url;

use super::EngineClient;
use crate::config::{EngineAuth, EngineConfig, Secret};
use crate::fleet::FleetError;

/// One request a server got: its path and its `Authorization` header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A server on `ip` that records every request and answers it with `answer(path)`:
/// (status, Location).
async fn server(
    ip: &str,
    answer: impl Fn(&str) -> (u16, Option<String>) + Send + Sync + 'static,
) -> (SocketAddr, Seen) {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Seen::default();
    let (s, answer) = (seen.clone(), Arc::new(answer));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (s, answer) = (s.clone(), answer.clone());
            let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let auth = req
                    .headers()
                    .get(http::header::AUTHORIZATION)
                    .map(|v| v.to_str().unwrap().to_string());
                s.lock().push((req.uri().path().to_string(), auth));
                let (status, location) = answer(req.uri().path());
                let mut resp = http::Response::builder().status(status);
                if let Some(l) = location {
                    resp = resp.header(http::header::LOCATION, l);
                }
                let body = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
                async move { Ok::<_, Infallible>(resp.body(Full::new(Bytes::from(body))).unwrap()) }
            });
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, seen)
}

fn client(base: &str) -> EngineClient {
    EngineClient::new(&EngineConfig {
        url: Url::parse(base).unwrap(),
        auth: EngineAuth::Basic {
            user: "ops".into(),
            password: Some(Secret::new("hunter2")),
        },
        timeout: Duration::from_secs(5),
        job: "spacewatch".into(),
    })
    .unwrap()
}

#[tokio::test]
async fn a_redirect_is_an_engine_error_and_credentials_stay_with_the_configured_host() {
    // The second host: answers anything, and redirects once more to itself (the
    // cross-host-then-same-host chain that carried the credentials before).
    let (b, seen_b) = server("127.0.0.2", |path| match path {
        "/hop" => (307, Some("/prom/api/v1/query".into())),
        _ => (200, None),
    })
    .await;
    let to_b = format!("http://{b}/hop?token=do-not-show");
    let (a, seen_a) = server("127.0.0.1", move |path| match path {
        "/same/api/v1/query" => (302, Some("/prom/api/v1/query".into())),
        _ => (302, Some(to_b.clone())),
    })
    .await;

    let e = client(&format!("http://{a}/prom"))
        .query("up", 0.0)
        .await
        .unwrap_err();
    let FleetError::Engine {
        status,
        error_type,
        message,
        ..
    } = &e
    else {
        panic!("an engine error: {e:?}");
    };
    assert_eq!((*status, error_type.as_str()), (302, "redirect"));
    assert!(message.contains(&format!("http://{b}/hop")), "{message}");
    assert!(!message.contains("do-not-show"), "{message}");
    assert!(!e.is_timeout());
    assert!(seen_b.lock().is_empty(), "nothing reached the second host");
    assert_eq!(
        *seen_a.lock(),
        [(
            "/prom/api/v1/query".to_string(),
            Some("Basic b3BzOmh1bnRlcjI=".to_string()) // ops:hunter2
        )],
        "one request, to the configured host"
    );

    // A same-host redirect is not followed either.
    let e = client(&format!("http://{a}/same"))
        .query("up", 0.0)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, FleetError::Engine { status: 302, .. }),
        "{e:?}"
    );
    assert_eq!(seen_a.lock().len(), 2, "no second request for the redirect");
    assert!(e.to_string().contains("not followed"), "{e}");
    assert!(!e.to_string().contains("hunter2"));
}
