//! The fleet bundle's load balancer for real: the Debian nginx with the repository's
//! `nginx/fleet.conf` (its replica names pointed at three local replicas) spreads the
//! requests over every replica, and streams a gateway object both ways intact.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method as M;

use crate::support::{ADMIN_KEY, KEY, Replica, SECRET, call, free_port, require, store};

/// nginx in the foreground with its files in a temporary directory; killed on drop.
struct Nginx {
    child: Child,
    base: String,
    dir: tempfile::TempDir,
}

impl Nginx {
    fn start(upstreams: &[String]) -> Self {
        require("nginx");
        let dir = tempfile::tempdir().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("nginx/fleet.conf");
        let mut conf = std::fs::read_to_string(path).unwrap();
        for (i, addr) in upstreams.iter().enumerate() {
            let name = format!("spacewatch-{}:8000", i + 1);
            assert!(conf.contains(&name), "{name} in nginx/fleet.conf");
            conf = conf.replace(&name, addr);
        }
        let port = free_port();
        assert!(conf.contains("listen 8000;"));
        conf = conf.replace("listen 8000;", &format!("listen 127.0.0.1:{port};"));
        let d = dir.path().display().to_string();
        std::fs::write(dir.path().join("fleet.conf"), conf).unwrap();
        let main = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/fleet.conf;\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
        let child = Command::new("nginx")
            .args(["-p", &d, "-c", &format!("{d}/nginx.conf")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let base = format!("http://127.0.0.1:{port}");
        Self { child, base, dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while reqwest::get(format!("{}/health", self.base)).await.is_err() {
            assert!(Instant::now() < deadline, "nginx not up:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nginx"]
async fn nginx_spreads_the_traffic_over_every_replica() {
    let store = store().await;
    let replicas: Vec<Replica> = (0..3).map(|_| Replica::start(&store, &[], &[])).collect();
    let lb = Nginx::start(&replicas.iter().map(|r| r.addr.clone()).collect::<Vec<_>>());
    lb.ready().await;
    for _ in 0..30 {
        call(&lb.base, M::GET, "/tools/buckets", SECRET, None, 200).await;
    }
    // 3 MiB up and back down through the balancer, unbuffered.
    let body: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let object = "/s3/demo-assets/fleet/through-nginx.bin";
    call(&lb.base, M::PUT, object, SECRET, Some(body.clone()), 200).await;
    let got = reqwest::Client::new()
        .get(format!("{}{object}", lb.base))
        .header("X-Spaces-Key", KEY)
        .header("X-Spaces-Secret", SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert!(
        got.bytes().await.unwrap() == body,
        "the object came back changed"
    );
    let mut counts = Vec::new();
    for r in &replicas {
        let v = r.json("/metrics/operations").await;
        counts.push(v["current_5m"]["total_operations"].as_u64().unwrap());
    }
    assert_eq!(counts.iter().sum::<u64>(), 32, "{counts:?}");
    assert!(
        counts.iter().all(|c| *c >= 5),
        "round robin reaches every replica: {counts:?}"
    );
}

/// A client behind the bundle's nginx, from `127.0.0.n`.
fn client_from(n: u8) -> reqwest::Client {
    let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, n));
    reqwest::Client::builder()
        .local_address(ip)
        .build()
        .unwrap()
}

async fn status(c: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> u16 {
    let mut req = c.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap().status().as_u16()
}

/// Issue 18, item 8: behind the bundle's nginx (which sends X-Forwarded-For) and with
/// nginx as the trusted proxy, each client has its own rate-limit and admin-key buckets:
/// one client's wrong keys and bursts lock nobody else out, and the right key never.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nginx"]
async fn behind_nginx_clients_are_told_apart_and_the_admin_is_never_locked_out() {
    let store = store().await;
    let r = Replica::start(
        &store,
        &[],
        &[
            ("TRUSTED_PROXIES", "127.0.0.1"),
            ("RATE_LIMIT_RPS", "0.01"),
            ("RATE_LIMIT_BURST", "2"),
        ],
    );
    // Every upstream name of the conf points at the one replica: one set of buckets.
    let lb = Nginx::start(&[r.addr.clone(), r.addr.clone(), r.addr.clone()]);
    lb.ready().await;
    let (a, b) = (client_from(5), client_from(6));
    let stats = format!("{}/stats", lb.base);
    for i in 0..10 {
        assert_eq!(
            status(&a, &stats, &[("X-API-Key", "wrong")]).await,
            401,
            "{i}"
        );
    }
    assert_eq!(status(&a, &stats, &[("X-API-Key", "wrong")]).await, 429);
    assert_eq!(status(&b, &stats, &[("X-API-Key", "wrong")]).await, 401);
    for c in [&a, &b] {
        assert_eq!(status(c, &stats, &[("X-API-Key", ADMIN_KEY)]).await, 200);
    }
    // The API's rate limit is per client too: a's burst is spent, b's is not.
    let buckets = format!("{}/tools/buckets", lb.base);
    let tenant = [("X-Spaces-Key", KEY), ("X-Spaces-Secret", SECRET)];
    for _ in 0..2 {
        assert_eq!(status(&a, &buckets, &tenant).await, 200);
    }
    assert_eq!(status(&a, &buckets, &tenant).await, 429);
    assert_eq!(status(&b, &buckets, &tenant).await, 200);
}
