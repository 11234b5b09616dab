//! What the bundle tests share: the repository's files, required programs, free ports, a
//! `spacewatch serve --demo` process and traffic through it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use serde_json::Value;

/// The demo store's credentials (printed by `serve --demo`, listed in the README).
pub const KEY: &str = "SPACEWATCHDEMOKEY000";
pub const SECRET: &str = "spacewatch-demo-secret-key";

/// A path in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(repo(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Files of a repository folder whose name ends with `suffix`, sorted.
pub fn files(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

/// Panics when `program` cannot be run: an ignored test run on purpose must not pass
/// without the program it exists for.
pub fn require(program: &str) {
    if let Err(e) = Command::new(program).arg("--version").output() {
        panic!("{program} is needed by this test and cannot be run ({e}); .ci/run installs it");
    }
}

/// Runs `cmd` to completion; returns (success, stdout, stderr).
pub fn run(cmd: &mut Command) -> (bool, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} could not start: {e}"));
    (
        status.success(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A YAML file of the repository as JSON, through python3 and PyYAML.
pub fn yaml(rel: &str) -> Value {
    require("python3");
    let path = repo(rel);
    let (ok, out, err) = run(Command::new("python3")
        .arg(repo("tests/bundle/yaml_tool.py"))
        .arg("json")
        .arg(&path));
    assert!(ok, "{rel} as JSON: {err}");
    serde_json::from_str(&out).unwrap()
}

/// A port nobody listens on right now (for programs that cannot report theirs).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `spacewatch serve --demo` on 127.0.0.1; killed on drop.
pub struct SpaceWatch {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    pub base: String,
}

impl SpaceWatch {
    /// Starts it in `dir` with the per-client rate limit off, since the tests send
    /// bursts from one address on purpose.
    pub fn demo(dir: &Path) -> Self {
        Self::demo_with(dir, &[])
    }

    /// [`demo`](Self::demo) with more environment variables.
    pub fn demo_with(dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spacewatch"))
            .args(["serve", "--demo", "--host", "127.0.0.1", "--port", "0"])
            .env("RATE_LIMIT_RPS", "0")
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spacewatch starts");
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
                    output.lock().unwrap().push_str(&(line + "\n"));
                }
            });
        }
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("spacewatch did not start:\n{}", output.lock().unwrap()));
        Self {
            child,
            base: format!("http://{addr}"),
            addr,
        }
    }

    pub async fn metrics(&self) -> String {
        let resp = reqwest::get(format!("{}/metrics", self.base))
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.text().await.unwrap()
    }
}

impl Drop for SpaceWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one request with the demo credentials (or `secret`) and checks its status.
pub async fn expect(
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

/// One request: method, path, secret, body and the status it must get.
type Call<'a> = (reqwest::Method, &'a str, &'a str, Option<Vec<u8>>, u16);

/// Every kind of traffic the dashboard shows: tool calls and gateway GET/PUT/HEAD/DELETE
/// that succeed, and an unknown bucket, a missing key and a wrong secret that fail.
/// Returns the number of operations sent: every request but the wrong secret, which is
/// refused before it becomes one (it counts in spacewatch_refused_requests_total).
pub async fn mixed_traffic(base: &str) -> u64 {
    use reqwest::Method as M;
    let object = "/s3/demo-assets/bundle/object.bin";
    let body: Vec<u8> = (0..64 * 1024u32).map(|i| (i % 251) as u8).collect();
    let calls: [Call; 11] = [
        (M::GET, "/tools/buckets", SECRET, None, 200),
        (
            M::GET,
            "/tools/list-all?bucket=demo-assets",
            SECRET,
            None,
            200,
        ),
        (
            M::GET,
            "/tools/storage-summary?bucket=demo-assets",
            SECRET,
            None,
            200,
        ),
        (M::PUT, object, SECRET, Some(body), 200),
        (M::GET, object, SECRET, None, 200),
        (M::HEAD, object, SECRET, None, 200),
        (M::GET, "/s3/demo-assets/", SECRET, None, 200),
        (M::DELETE, object, SECRET, None, 204),
        (
            M::GET,
            "/tools/list-all?bucket=no-such-bucket",
            SECRET,
            None,
            404,
        ),
        (M::GET, "/s3/demo-assets/no-such-key", SECRET, None, 404),
        (M::GET, "/tools/buckets", "wrong-secret", None, 401),
    ];
    let mut operations = 0;
    for (method, path, secret, body, status) in calls {
        operations += u64::from(status != 401);
        expect(base, method, path, secret, body, status).await;
    }
    // The demo's access logs and a snapshot: the access-log families and the bucket
    // gauges the dashboard's access-log row reads.
    let logs = reqwest::Client::new()
        .get(format!("{base}/metrics/top-ips?source_bucket=demo-assets"))
        .header("X-Spaces-Key", KEY)
        .header("X-Spaces-Secret", SECRET)
        .header("X-Log-Bucket", "demo-logs")
        .header("X-Log-Prefix", "access-logs/")
        .send()
        .await
        .unwrap();
    assert_eq!(logs.status(), 200, "top IPs of the demo logs");
    let snapshot = reqwest::Client::new()
        .post(format!("{base}/metrics/snapshot?source_bucket=demo-assets"))
        .header("X-Spaces-Key", KEY)
        .header("X-Spaces-Secret", SECRET)
        .header("X-Log-Bucket", "demo-logs")
        .header("X-Log-Prefix", "access-logs/")
        .header("X-Metrics-Bucket", "demo-metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(snapshot.status(), 200, "a snapshot of demo-assets");
    operations + 2
}

/// `n` successful tool calls.
pub async fn successes(base: &str, n: u64) {
    for _ in 0..n {
        let path = "/tools/list-all?bucket=demo-assets";
        expect(base, reqwest::Method::GET, path, SECRET, None, 200).await;
    }
}

/// `n` gateway GETs of a key that does not exist (404).
pub async fn failures(base: &str, n: u64) {
    for _ in 0..n {
        let path = "/s3/demo-assets/no-such-key";
        expect(base, reqwest::Method::GET, path, SECRET, None, 404).await;
    }
}
