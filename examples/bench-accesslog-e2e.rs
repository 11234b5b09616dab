//! End-to-end benchmark of the access-log endpoints (issue 8): the embedded store holding
//! 30 days of hourly log objects (720 objects, ~1 GB of realistic 27-field lines), one
//! SpaceWatch in front of it, and `/metrics/top-ips` over all of them — cold (every object
//! fetched and parsed) and warm (summaries cached) — plus a cold search.
//!
//! ```text
//! cargo run --release --example bench-accesslog-e2e -- [OBJECTS] [BYTES_PER_OBJECT] [WARM_ROUNDS]
//! ```
//! Prints one JSON line of figures (also appended to scripts/bench-accesslog-e2e.out by
//! scripts/bench-accesslog.sh when E2E=1).

#[path = "../benches/support/gen_access_log.rs"]
mod gen_access_log;

use std::sync::Arc;
use std::time::{Duration, Instant};

use spacewatch::api::app;
use spacewatch::config::Settings;
use spacewatch::demo::DemoStore;
use spacewatch::server::{Runtime, build_state, serve};
use spacewatch::telemetry::SystemClock;

const KEY: &str = "BENCHKEY000000000001";
const SECRET: &str = "bench-secret-0000001";

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .map_or(default, |a| a.parse().expect("a number"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let objects = arg(1, 720);
    let per_object = arg(2, 1_450_000) as usize;
    let warm_rounds = arg(3, 20) as usize;
    let store = DemoStore::start(KEY, SECRET).await.expect("store");
    let client = store_client(&store.endpoint());
    client
        .create_bucket()
        .bucket("logs")
        .send()
        .await
        .expect("bucket");
    let t = Instant::now();
    let mut generator = gen_access_log::Generator::new(7);
    let mut total = 0usize;
    let start = 1_704_067_200i64;
    for i in 0..objects {
        let mut text = String::with_capacity(per_object + 1024);
        generator.fill(&mut text, per_object);
        total += text.len();
        let delivered = chrono::DateTime::from_timestamp(start + i as i64 * 3600 + 3900, 0)
            .unwrap()
            .format("%Y-%m-%d-%H-%M-%S");
        let key = format!("access/{delivered}-{i:016X}");
        client
            .put_object()
            .bucket("logs")
            .key(key)
            .body(text.into_bytes().into())
            .send()
            .await
            .expect("put");
    }
    eprintln!(
        "[e2e] {objects} objects, {:.1} MB, uploaded in {:.1} s",
        total as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let mut settings = Settings::for_tests();
    settings.endpoint = Some(store.endpoint());
    settings.region = "us-east-1".into();
    settings.knobs.rate_limit_rps = 0.0;
    let rt = Runtime {
        clock: Arc::new(SystemClock),
        log_writer: Box::new(std::io::sink()),
    };
    let state = build_state(settings, rt).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, app(state), std::future::pending()));
    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{base}{path}"))
            .header("X-Spaces-Key", KEY)
            .header("X-Spaces-Secret", SECRET)
            .header("X-Log-Bucket", "logs")
            .header("X-Log-Prefix", "access/")
            .send()
    };
    let timed = |path: &'static str| {
        let req = get(path);
        async move {
            let t = Instant::now();
            let r = req.await.expect("request");
            assert!(r.status().is_success(), "{path}: {}", r.status());
            let v: serde_json::Value = r.json().await.expect("json");
            (t.elapsed(), v)
        }
    };
    let (cold, v) = timed("/metrics/top-ips?limit=10").await;
    let read = v["coverage"]["objects_read"].as_u64().unwrap_or(0);
    let requests = v["requests_total"].as_u64().unwrap_or(0);
    let mut warm: Vec<Duration> = Vec::new();
    for _ in 0..warm_rounds {
        let (d, v) = timed("/metrics/top-ips?limit=10").await;
        assert_eq!(v["coverage"]["objects_read"], 0, "warm reads nothing");
        assert_eq!(v["requests_total"].as_u64(), Some(requests));
        warm.push(d);
    }
    warm.sort();
    let (search, sv) = timed("/logs/access/search?status_prefix=5&limit=100").await;
    let ms = |d: Duration| (d.as_secs_f64() * 1e5).round() / 100.0;
    let out = serde_json::json!({
        "objects": objects,
        "bytes": total,
        "objects_read_cold": read,
        "requests": requests,
        "top_ips_cold_ms": ms(cold),
        "top_ips_warm_p50_ms": ms(warm[warm.len() / 2]),
        "top_ips_warm_max_ms": ms(*warm.last().unwrap()),
        "search_cold_ms": ms(search),
        "search_matches": sv["count"],
        "cold_mb_per_s": (total as f64 / 1e6 / cold.as_secs_f64() * 10.0).round() / 10.0,
    });
    println!("{out}");
}

fn store_client(endpoint: &str) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(KEY, SECRET, None, None, "bench"))
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}
