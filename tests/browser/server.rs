//! A real SpaceWatch server for the browser: the embedded demo store seeded as
//! `serve --demo` seeds it, on loopback port 0, on its own runtime (the tests block on
//! the browser), with a graceful shutdown so "the server went away" is real.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use spacewatch::api::app;
use spacewatch::config::{DEMO_KEY, DEMO_SECRET, DemoOffer, Secret, Settings};
use spacewatch::demo::DemoStore;
use spacewatch::server::{Runtime, build_state, serve};
use spacewatch::telemetry::{Clock, ManualClock, SystemClock, UnixTime};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const ADMIN_KEY: &str = "browser-admin-key-0123456789";

/// How to start a server.
pub struct Options {
    pub refresh_sec: u64,
    pub admin_key: bool,
    /// `None`: the demo store; `Some(url)`: a storage endpoint of the test's choosing.
    pub endpoint: Option<String>,
    /// The fleet engine's base URL (`--prometheus-url`), if any.
    pub fleet_engine: Option<String>,
    /// The wall clock instead of the test's `ManualClock` (an engine scraping the server
    /// lives in real time).
    pub real_clock: bool,
    /// The chat-completions endpoint of the assistant (`DO_AGENT_URL`), if any.
    pub agent_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            refresh_sec: 30,
            admin_key: false,
            endpoint: None,
            fleet_engine: None,
            real_clock: false,
            agent_url: None,
        }
    }
}

pub struct TestServer {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub store: Option<DemoStore>,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    // Last: dropped after the server task it runs.
    pub rt: tokio::runtime::Runtime,
}

/// The current wall-clock second, as a frozen test clock's start.
fn now_clock() -> Arc<ManualClock> {
    let secs = SystemClock.now().as_micros() / 1_000_000;
    Arc::new(ManualClock::new(UnixTime::from_secs(secs)))
}

impl TestServer {
    /// Storage figures stay still between the page's `/health` and the test's: the
    /// server's clock is a `ManualClock` the test moves.
    pub fn start(o: Options) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let clock = now_clock();
        let (store, endpoint) = match o.endpoint {
            Some(e) => (None, e),
            None => {
                let store = rt.block_on(async {
                    let store = DemoStore::start(DEMO_KEY, DEMO_SECRET).await.unwrap();
                    spacewatch::demo::seed(&store.endpoint(), DEMO_KEY, DEMO_SECRET, clock.now())
                        .await
                        .expect("demo seed");
                    store
                });
                let e = store.endpoint();
                (Some(store), e)
            }
        };
        let mut s = Settings::for_tests();
        s.endpoint = Some(endpoint);
        s.region = "us-east-1".into();
        s.knobs.rate_limit_rps = 0.0;
        s.knobs.s3_timeout_sec = 5.0;
        s.knobs.dashboard_refresh_sec = o.refresh_sec;
        s.demo = Some(DemoOffer::new(DEMO_KEY, DEMO_SECRET));
        if o.admin_key {
            s.api_key = Some(Secret::new(ADMIN_KEY));
        }
        if let Some(url) = &o.agent_url {
            s.agent = Some(spacewatch::config::AgentSettings {
                url: url.clone(),
                key: Some(Secret::new("browser-agent-key-0123456789")),
                model: Some("test-model".into()),
            });
        }
        if let Some(url) = &o.fleet_engine {
            s.fleet = Some(spacewatch::config::EngineConfig {
                url: url::Url::parse(url).unwrap(),
                auth: spacewatch::config::EngineAuth::None,
                timeout: std::time::Duration::from_secs(5),
                job: "spacewatch".into(),
            });
        }
        let server_clock: Arc<dyn Clock> = if o.real_clock {
            Arc::new(SystemClock)
        } else {
            clock.clone()
        };
        let runtime = Runtime {
            clock: server_clock,
            log_writer: Box::new(std::io::sink()),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let (base, task) = rt.block_on(async {
            let state = build_state(s, runtime).expect("state builds");
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let router = app(state.clone());
            let task = tokio::spawn(async move {
                let _ = serve(listener, router, async {
                    let _ = rx.await;
                })
                .await;
            });
            (base, task)
        });
        Self {
            base,
            clock,
            store,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
            rt,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request and reads the whole answer (a body left unread would be a
    /// client gone mid-body: a 499 operation); returns its status.
    pub fn send(&self, method: reqwest::Method, path: &str, headers: HeaderMap) -> u16 {
        let req = self
            .http
            .request(method, self.url(path))
            .headers(headers)
            .body(if path.ends_with(".txt") { "hello" } else { "" });
        self.rt.block_on(async {
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            resp.bytes().await.expect("body");
            status
        })
    }

    pub fn get(&self, path: &str, headers: HeaderMap) -> u16 {
        self.send(reqwest::Method::GET, path, headers)
    }

    /// A GET's status and the duration the server reported (`X-Request-Duration-Ms`).
    pub fn get_timed(&self, path: &str, headers: HeaderMap) -> (u16, f64) {
        let req = self.http.get(self.url(path)).headers(headers);
        self.rt.block_on(async {
            let resp = req.send().await.expect("request");
            let ms = resp.headers()["x-request-duration-ms"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            let status = resp.status().as_u16();
            resp.bytes().await.expect("body");
            (status, ms)
        })
    }

    pub fn json(&self, path: &str, headers: HeaderMap) -> serde_json::Value {
        let req = self.http.get(self.url(path)).headers(headers);
        self.rt.block_on(async {
            let r = req.send().await.expect("request");
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json().await.expect("json")
        })
    }

    /// Stops serving: open connections are closed, new ones refused.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            self.rt.block_on(async {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
            });
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The demo tenant's headers.
pub fn demo_tenant() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-Spaces-Key", HeaderValue::from_static(DEMO_KEY));
    h.insert("X-Spaces-Secret", HeaderValue::from_static(DEMO_SECRET));
    h
}
