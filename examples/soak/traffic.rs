//! The soak's traffic: a fixed-rate, open-loop mix of tool and gateway requests against
//! `serve --demo` (GET/PUT/HEAD/DELETE/list through `/s3/…`, every tool), a quarter of
//! them failing on purpose (missing objects, an unknown bucket, a bad parameter). Every
//! request carries its own `X-Request-Id`, and the client counts what it sent and what
//! came back, by kind and by (operation type, status).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::sync::Semaphore;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// `http://127.0.0.1:PORT` of SpaceWatch.
    pub base: String,
    /// Length of the run.
    pub duration: Duration,
    /// RSS is measured from the end of the warm-up.
    pub warmup: Duration,
    /// Requests per second, started on schedule whatever the answers take.
    pub rate: f64,
    pub key: String,
    pub secret: String,
    /// `X-API-Key` for the admin endpoints, when `APP_API_KEY` is set.
    pub admin_key: Option<String>,
    /// The server's process, to sample its VmRSS.
    pub pid: Option<u32>,
    /// Requests in flight at most (beyond it the rate drops, and the summary says so).
    pub max_in_flight: usize,
}

/// One kind of request of the mix.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    /// The operation type SpaceWatch records it as.
    pub op: &'static str,
    /// The status it must get.
    pub expect: u16,
    /// Failing on purpose.
    pub injected: bool,
}

const fn kind(name: &'static str, op: &'static str, expect: u16) -> Kind {
    Kind {
        name,
        op,
        expect,
        injected: expect >= 400,
    }
}

pub const KINDS: [Kind; 16] = [
    kind("gateway GET", "GET_OBJECT", 200),
    kind("gateway GET missing object", "GET_OBJECT", 404),
    kind("gateway GET unknown bucket", "GET_OBJECT", 404),
    kind("gateway PUT", "PUT_OBJECT", 200),
    kind("gateway HEAD", "HEAD_OBJECT", 200),
    kind("gateway HEAD missing object", "HEAD_OBJECT", 404),
    kind("gateway DELETE", "DELETE_OBJECT", 204),
    kind("gateway list objects", "LIST_OBJECTS", 200),
    kind("gateway list buckets", "LIST_BUCKETS", 200),
    kind("tool buckets", "LIST_BUCKETS", 200),
    kind("tool list-all", "LIST_OBJECTS", 200),
    kind("tool list-all unknown bucket", "LIST_OBJECTS", 404),
    kind("tool storage-summary", "ANALYZE_STORAGE", 200),
    kind("tool top-largest", "ANALYZE_STORAGE", 200),
    kind("tool top-largest limit=0", "ANALYZE_STORAGE", 400),
    kind("tool recent-objects", "ANALYZE_STORAGE", 200),
];

/// The order kinds repeat in: gateway-heavy, 5 of 20 failing on purpose.
pub const MIX: [usize; 20] = [
    0, 3, 4, 10, 0, 1, 6, 7, 3, 9, 0, 5, 12, 8, 2, 13, 3, 11, 15, 14,
];

/// The method, path and body of request `n` of kind `k`.
fn request(k: usize, n: u64) -> (reqwest::Method, String, Vec<u8>) {
    use reqwest::Method as M;
    let slot = n % 64;
    match k {
        0 => (M::GET, "/s3/demo-assets/website/index.html".into(), vec![]),
        1 => (M::GET, format!("/s3/demo-assets/soak/missing-{n}"), vec![]),
        2 => (M::GET, "/s3/soak-no-such-bucket/x".into(), vec![]),
        3 => {
            let body = vec![b'a' + (n % 26) as u8; 512 * (1 + (n % 8) as usize)];
            (
                M::PUT,
                format!("/s3/demo-metrics/soak/obj-{slot}.bin"),
                body,
            )
        }
        4 => (
            M::HEAD,
            "/s3/demo-assets/reports/2024/q1.csv".into(),
            vec![],
        ),
        5 => (M::HEAD, format!("/s3/demo-assets/soak/nope-{n}"), vec![]),
        6 => (
            M::DELETE,
            format!("/s3/demo-metrics/soak/obj-{}.bin", (slot + 32) % 64),
            vec![],
        ),
        7 => (M::GET, "/s3/demo-assets?prefix=reports/".into(), vec![]),
        8 => (M::GET, "/s3/".into(), vec![]),
        9 => (M::GET, "/tools/buckets".into(), vec![]),
        10 => (M::GET, "/tools/list-all?bucket=demo-assets".into(), vec![]),
        11 => (
            M::GET,
            "/tools/list-all?bucket=soak-no-such-bucket".into(),
            vec![],
        ),
        12 => (
            M::GET,
            "/tools/storage-summary?bucket=demo-assets".into(),
            vec![],
        ),
        13 => (
            M::GET,
            "/tools/top-largest?bucket=demo-assets&limit=3".into(),
            vec![],
        ),
        14 => (
            M::GET,
            "/tools/top-largest?bucket=demo-assets&limit=0".into(),
            vec![],
        ),
        _ => (
            M::GET,
            "/tools/recent-objects?bucket=demo-logs&limit=5".into(),
            vec![],
        ),
    }
}

/// What came back, counted.
#[derive(Debug, Default)]
pub struct Tally {
    pub sent: u64,
    /// By kind name: (sent, answered as expected).
    pub by_kind: BTreeMap<&'static str, (u64, u64)>,
    /// By (operation type, status), from the answers.
    pub by_op: BTreeMap<(String, u16), u64>,
    /// Request id → (operation type, status) of every answered request.
    pub answers: BTreeMap<String, (String, u16)>,
    pub injected_errors: u64,
    /// Answers other than the expected ones (and requests that got no answer).
    pub unexpected: u64,
    pub unexpected_examples: Vec<String>,
}

impl Tally {
    fn count(&mut self, k: &Kind, id: String, got: Result<(u16, Option<String>), String>) {
        let entry = self.by_kind.entry(k.name).or_default();
        entry.0 += 1;
        let problem = match &got {
            Ok((status, op)) if *status == k.expect && op.as_deref() == Some(k.op) => None,
            Ok((status, op)) => Some(format!("{id} {}: {status} {op:?}", k.name)),
            Err(e) => Some(format!("{id} {}: {e}", k.name)),
        };
        match problem {
            None => {
                entry.1 += 1;
                if k.injected {
                    self.injected_errors += 1;
                }
            }
            Some(p) => {
                self.unexpected += 1;
                if self.unexpected_examples.len() < 20 {
                    self.unexpected_examples.push(p);
                }
            }
        }
        if let Ok((status, Some(op))) = got {
            *self.by_op.entry((op.clone(), status)).or_default() += 1;
            self.answers.insert(id, (op, status));
        }
    }
}

/// Sends one request and reads its whole answer.
async fn send_one(
    http: &reqwest::Client,
    cfg: &Config,
    k: usize,
    n: u64,
    id: &str,
) -> Result<(u16, Option<String>), String> {
    let (method, path, body) = request(k, n);
    let resp = http
        .request(method, format!("{}{path}", cfg.base))
        .header("X-Spaces-Key", &cfg.key)
        .header("X-Spaces-Secret", &cfg.secret)
        .header("X-Request-Id", id)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = resp.status().as_u16();
    let op = resp
        .headers()
        .get("x-operation-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let echoed = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok());
    if echoed != Some(id) {
        return Err(format!("X-Request-Id not echoed: {echoed:?}"));
    }
    resp.bytes().await.map_err(|e| format!("body cut: {e}"))?;
    Ok((status, op))
}

/// Runs the traffic for `cfg.duration`; returns the tally and the achieved rate.
pub async fn run(cfg: &Arc<Config>, http: &reqwest::Client, run_id: &str) -> (Tally, f64) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let slots = Arc::new(Semaphore::new(cfg.max_in_flight));
    let period = Duration::from_secs_f64(1.0 / cfg.rate);
    let start = tokio::time::Instant::now();
    let end = start + cfg.duration;
    let mut n = 0u64;
    loop {
        let at = start + period.mul_f64(n as f64);
        if at >= end {
            break;
        }
        tokio::time::sleep_until(at).await;
        let permit = slots.clone().acquire_owned().await.expect("semaphore open");
        let (cfg, http, tally) = (cfg.clone(), http.clone(), tally.clone());
        let id = format!("soak-{run_id}-{n}");
        tokio::spawn(async move {
            let k = MIX[(n % MIX.len() as u64) as usize];
            let got = send_one(&http, &cfg, k, n, &id).await;
            tally.lock().count(&KINDS[k], id, got);
            drop(permit);
        });
        n += 1;
    }
    let took = start.elapsed();
    // Every request answered.
    let _all = slots
        .acquire_many(cfg.max_in_flight as u32)
        .await
        .expect("semaphore open");
    let mut t = std::mem::take(&mut *tally.lock());
    t.sent = n;
    (t, n as f64 / took.as_secs_f64())
}

/// VmRSS of `pid` in KiB.
pub fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// RSS samples: (seconds since start, KiB).
pub type RssSamples = Arc<Mutex<Vec<(f64, u64)>>>;

/// Samples the server's RSS once a second.
pub fn sample_rss(pid: u32, started: Instant) -> (RssSamples, tokio::task::JoinHandle<()>) {
    let samples = Arc::new(Mutex::new(Vec::new()));
    let s = samples.clone();
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Some(kib) = vm_rss_kib(pid) {
                s.lock().push((started.elapsed().as_secs_f64(), kib));
            }
        }
    });
    (samples, task)
}
