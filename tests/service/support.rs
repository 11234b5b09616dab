//! The test harness: a real S3 store (s3s-fs) and a real SpaceWatch server, both on
//! loopback port 0, a reqwest client, and the server's log lines captured in memory.

use std::io::Write;
use std::sync::Arc;

use parking_lot::Mutex;
use reqwest::header::{HeaderMap, HeaderValue};
use spacewatch::api::app;
use spacewatch::config::Settings;
use spacewatch::demo::DemoStore;
use spacewatch::server::{AppState, Limits, Runtime, build_state, serve_with};
use spacewatch::telemetry::{Clock, SystemClock};
use tokio::net::TcpListener;

pub const KEY: &str = "TESTKEY0123456789ABC";
pub const SECRET: &str = "test-secret-Zq8Lr2VfK0pWx";

/// A `Write` that appends to a shared buffer.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
}

/// A SpaceWatch server on port 0, whatever storage it talks to.
pub struct Server {
    pub base: String,
    /// The S3 listener: the gateway at the root (`--s3-listen`).
    pub s3_base: String,
    pub state: AppState,
    pub logs: Captured,
    pub http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A server in front of the embedded store.
pub struct Harness {
    pub store: DemoStore,
    pub server: Server,
}

impl std::ops::Deref for Harness {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.server
    }
}

/// Settings pointing at `store`, with the rate limit off unless a test turns it on.
pub fn settings_for(store: &DemoStore) -> Settings {
    let mut s = Settings::for_tests();
    s.endpoint = Some(store.endpoint());
    s.region = "us-east-1".into();
    s.knobs.rate_limit_rps = 0.0;
    s
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(|_| {}, Arc::new(SystemClock)).await
    }

    /// Starts a store holding `alpha`, `beta` and `gamma` (with a few objects) and a server.
    pub async fn start_with(configure: impl FnOnce(&mut Settings), clock: Arc<dyn Clock>) -> Self {
        let store = DemoStore::start(KEY, SECRET).await.expect("store starts");
        seed(&store).await;
        let mut settings = settings_for(&store);
        configure(&mut settings);
        Self::serve(store, settings, clock).await
    }

    /// A server with `settings` in front of `store`.
    pub async fn serve(store: DemoStore, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let server = Server::start(settings, clock).await;
        Self { store, server }
    }
}

impl Server {
    /// Starts a server with `settings` on a free loopback port.
    pub async fn start(settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let logs = Captured::default();
        let rt = Runtime {
            clock,
            log_writer: Box::new(logs.clone()),
        };
        let state = build_state(settings, rt).expect("state builds");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app(state.clone());
        let s3_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let s3_base = format!("http://{}", s3_listener.local_addr().unwrap());
        let s3 = spacewatch::api::s3_app(state.clone());
        // The connection limits of the settings, as `serve` applies them.
        let limits = Limits::new(&state.settings.knobs, state.proxies.clone());
        let task = tokio::spawn(async move {
            let root = serve_with(s3_listener, s3, limits.clone(), std::future::pending());
            let main = serve_with(listener, router, limits, std::future::pending());
            let _ = tokio::join!(root, main);
        });
        Self {
            base,
            s3_base,
            state,
            logs,
            http: reqwest::Client::new(),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, headers: HeaderMap) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .headers(headers)
            .send()
            .await
            .expect("request")
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let resp = self.get(path, HeaderMap::new()).await;
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.expect("json body")
    }

    /// Waits until every log line of the operations so far is written.
    pub async fn flush_logs(&self) -> String {
        self.state.recorder.flush().await;
        self.logs.text()
    }
}

/// The text of an error answer: a JSON body's `detail`, or the `<Message>` of the
/// gateway's S3 XML error (unescaped).
pub async fn error_text(r: reqwest::Response) -> String {
    let text = r.text().await.expect("error body");
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        return v["detail"].as_str().unwrap_or_default().to_string();
    }
    let start = text.find("<Message>").map(|i| i + "<Message>".len());
    let end = text.find("</Message>");
    match (start, end) {
        (Some(a), Some(b)) if a <= b => text[a..b]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
        _ => panic!("neither JSON nor S3 XML: {}", &text[..text.len().min(300)]),
    }
}

/// The tenant headers of the test credentials.
pub fn tenant() -> HeaderMap {
    tenant_with(KEY, SECRET)
}

pub fn tenant_with(key: &str, secret: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-Spaces-Key", HeaderValue::from_str(key).unwrap());
    h.insert("X-Spaces-Secret", HeaderValue::from_str(secret).unwrap());
    h
}

/// An SDK client of the test store (for seeding, not for what is under test).
pub fn s3_client(store: &DemoStore) -> aws_sdk_s3::Client {
    s3_client_as(store, KEY, SECRET)
}

/// Buckets `alpha` (3 objects of 100–102 bytes), `beta` and `gamma` (empty).
async fn seed(store: &DemoStore) {
    let c = s3_client(store);
    for b in ["alpha", "beta", "gamma"] {
        c.create_bucket()
            .bucket(b)
            .send()
            .await
            .expect("create bucket");
    }
    put_many(store, "alpha", 3).await;
}

/// Puts `n` objects `dir/obj-NNNN` of 100 + i bytes into `bucket`.
pub async fn put_many(store: &DemoStore, bucket: &str, n: usize) {
    let c = s3_client(store);
    for i in 0..n {
        c.put_object()
            .bucket(bucket)
            .key(format!("dir/obj-{i:04}"))
            .body(vec![b'x'; 100 + i].into())
            .send()
            .await
            .expect("put object");
    }
}

/// One sample of the Prometheus text format.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: std::collections::BTreeMap<String, String>,
    pub value: f64,
}

/// Parses the samples of a text exposition (label values without escapes suffice here).
pub fn parse_metrics(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (head, value) = l.rsplit_once(' ').expect("sample line");
            let (name, labels) = match head.split_once('{') {
                Some((n, rest)) => (n, rest.trim_end_matches('}')),
                None => (head, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once("=\"").expect("label");
                    (k.to_string(), v.trim_end_matches('"').to_string())
                })
                .collect();
            Sample {
                name: name.into(),
                labels,
                value: value.parse().expect("value"),
            }
        })
        .collect()
}

/// Sum of the samples named `name` whose labels include every pair of `want`.
pub fn metric_sum(samples: &[Sample], name: &str, want: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            want.iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

/// Starts a store with `options` (several accounts, say) and a server in front of it.
pub async fn start_on_store(
    options: spacewatch::demo::StoreOptions,
    configure: impl FnOnce(&mut Settings),
) -> Harness {
    let store = DemoStore::start_with(options).await.expect("store starts");
    let mut settings = settings_for(&store);
    configure(&mut settings);
    Harness::serve(store, settings, Arc::new(SystemClock)).await
}

/// An SDK client of `store` signing as `key`/`secret`.
pub fn s3_client_as(store: &DemoStore, key: &str, secret: &str) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(store.endpoint())
        .credentials_provider(Credentials::new(key, secret, None, None, "test"))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

impl Server {
    /// Sends a request exactly as written: the path is not normalised on the way (reqwest
    /// resolves `%2E%2E` segments itself, as a browser would; an attacker's client does not).
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> (u16, String) {
        use http_body_util::BodyExt;
        let addr = self.base.trim_start_matches("http://");
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let io = hyper_util::rt::TokioIo::new(stream);
        let (mut send, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        let mut req = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", addr);
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_bytes());
        }
        let req = req
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .unwrap();
        let resp = send.send_request(req).await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}
