//! The fleet harness: one real S3 store (the embedded s3s-fs `DemoStore`), SpaceWatch
//! replicas as real `spacewatch serve` processes in front of it, and a real engine
//! (the Debian `prometheus` or `victoria-metrics` binary) scraping them every second.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::Value;
use spacewatch::demo::DemoStore;
use tempfile::TempDir;

pub const KEY: &str = "FLEETTESTKEY00000000";
pub const SECRET: &str = "fleet-test-secret-7Hq2Lw9";
pub const ADMIN_KEY: &str = "fleet-admin-key-0123456789";

/// The store every replica talks to, seeded with the demo buckets.
pub async fn store() -> DemoStore {
    let store = DemoStore::start(KEY, SECRET).await.expect("store starts");
    let now = spacewatch::telemetry::Clock::now(&spacewatch::telemetry::SystemClock);
    spacewatch::demo::seed(&store.endpoint(), KEY, SECRET, now)
        .await
        .expect("seed");
    store
}

/// A port nobody listens on right now (for programs that cannot report theirs).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Panics when `program` cannot be run: an ignored test run on purpose must not pass
/// without the program it exists for.
pub fn require(program: &str) {
    if let Err(e) = Command::new(program).arg("--version").output() {
        panic!("{program} is needed by this test and cannot be run ({e}); .ci/run installs it");
    }
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success(), "kill {sig} {pid}");
}

/// One `spacewatch serve` process on 127.0.0.1 and a free port.
pub struct Replica {
    child: Child,
    /// `127.0.0.1:PORT`: the scrape target, hence the engine's `instance` label.
    pub addr: String,
    pub base: String,
    pub output: Arc<Mutex<String>>,
    _dir: TempDir,
}

impl Replica {
    /// Starts a replica of `store` with `args` and `env`; the admin key is set and the
    /// rate limit off (the tests send bursts from one address).
    pub fn start(store: &DemoStore, args: &[&str], env: &[(&str, &str)]) -> Self {
        let endpoint = store.endpoint();
        let mut all = vec!["--endpoint", &endpoint, "--region", "us-east-1"];
        all.extend_from_slice(args);
        let mut env = env.to_vec();
        env.push(("APP_API_KEY", ADMIN_KEY));
        Self::spawn(&all, &env)
    }

    /// `spacewatch serve --host 127.0.0.1 --port 0 <args>`, rate limit off, in a
    /// directory of its own (no `.env` of the checkout).
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_spacewatch"));
        cmd.args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .env("RATE_LIMIT_RPS", "0")
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spacewatch starts");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let streams: [Box<dyn std::io::Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for stream in streams {
            let (output, tx) = (output.clone(), tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(addr) = line.split("listening on http://").nth(1) {
                        let _ = tx.send(addr.trim().to_string());
                    }
                    output.lock().push_str(&(line + "\n"));
                }
            });
        }
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("replica did not start:\n{}", output.lock()));
        Self {
            child,
            base: format!("http://{addr}"),
            addr,
            output,
            _dir: dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// SIGTERM, and wait for the exit.
    pub fn stop(&mut self) {
        signal(self.child.id(), "-TERM");
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "replica did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// GET `path` with the admin key: (status, JSON body, time taken).
    pub async fn admin(&self, path: &str) -> (u16, Value, Duration) {
        let started = Instant::now();
        let resp = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .header("X-API-Key", ADMIN_KEY)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body, started.elapsed())
    }

    /// An admin JSON document that must be a 200.
    pub async fn json(&self, path: &str) -> Value {
        let (status, body, _) = self.admin(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The engines the fleet view is tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Prometheus,
    VictoriaMetrics,
}

impl Kind {
    pub fn program(self) -> &'static str {
        match self {
            Self::Prometheus => "prometheus",
            Self::VictoriaMetrics => "victoria-metrics",
        }
    }
}

/// A real engine on `127.0.0.1:port`, scraping the targets every second; killed on drop.
pub struct Engine {
    pub kind: Kind,
    child: Option<Child>,
    pub base: String,
    dir: TempDir,
}

/// A scrape config for `targets` under job `spacewatch`, every second.
pub fn scrape_config(targets: &[String]) -> String {
    let list: Vec<String> = targets.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: spacewatch\n    static_configs:\n      - targets: [{}]\n",
        list.join(", ")
    )
}

impl Engine {
    pub fn start(kind: Kind, port: u16, targets: &[String]) -> Self {
        require(kind.program());
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("scrape.yml");
        std::fs::write(&config, scrape_config(targets)).unwrap();
        let data = dir.path().join("data");
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(kind.program());
        match kind {
            Kind::Prometheus => cmd
                .arg(format!("--config.file={}", config.display()))
                .arg(format!("--storage.tsdb.path={}", data.display()))
                .arg(format!("--web.listen-address={listen}")),
            // Samples become visible to queries after -search.latencyOffset (30 s by
            // default); docs/fleet.md sets it to a second too.
            Kind::VictoriaMetrics => cmd
                .arg(format!("-promscrape.config={}", config.display()))
                .arg(format!("-storageDataPath={}", data.display()))
                .arg(format!("-httpListenAddr={listen}"))
                .arg("-search.latencyOffset=1s"),
        };
        let log = std::fs::File::create(dir.path().join("engine.log")).unwrap();
        let child = cmd
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("engine starts");
        Self {
            kind,
            child: Some(child),
            base: format!("http://{listen}"),
            dir,
        }
    }

    pub fn log(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("engine.log")).unwrap_or_default();
        let start = text.len().saturating_sub(4000);
        text[text.floor_char_boundary(start)..].to_string()
    }

    /// The result of an instant query straight from the engine.
    pub async fn query(&self, expr: &str) -> Vec<Value> {
        let url =
            url::Url::parse_with_params(&format!("{}/api/v1/query", self.base), &[("query", expr)])
                .unwrap();
        match reqwest::get(url).await {
            Ok(r) => {
                let v: Value = r.json().await.unwrap_or(Value::Null);
                v["data"]["result"].as_array().cloned().unwrap_or_default()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Waits until the engine has `n` targets up.
    pub async fn wait_up(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let up = self.query(r#"up{job="spacewatch"} == 1"#).await;
            if up.len() == n {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{:?}: {} of {n} targets up after 60 s\n{}",
                self.kind,
                up.len(),
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// SIGSTOP: the engine keeps its connections and answers nothing (a stalled engine).
    pub fn freeze(&self) {
        signal(self.pid(), "-STOP");
    }

    pub fn thaw(&self) {
        signal(self.pid(), "-CONT");
    }

    /// Kills it; nothing listens on its port any more.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(c) = &self.child {
            let _ = signal_quiet(c.id(), "-CONT");
        }
        self.stop();
    }
}

fn signal_quiet(pid: u32, sig: &str) -> std::io::Result<std::process::ExitStatus> {
    Command::new("kill")
        .args([sig, &pid.to_string()])
        .stderr(Stdio::null())
        .status()
}

/// Sends one tenant request; checks its status.
pub async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    secret: &str,
    body: Option<Vec<u8>>,
    status: u16,
) {
    let mut req = reqwest::Client::new()
        .request(method.clone(), format!("{base}{path}"))
        .header("X-Spaces-Key", KEY)
        .header("X-Spaces-Secret", secret);
    if let Some(body) = body {
        req = req.body(body);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), status, "{method} {path}");
    resp.bytes().await.unwrap();
}
