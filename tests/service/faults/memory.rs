//! Memory under a few hundred faulted requests, measured in a process of its own.

use std::sync::Arc;
use std::time::Instant;

use super::*;
use crate::fault_proxy::{Fault, rule};

/// Resident set size of this process, bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split(' ').nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// The faults of the memory test, one key (or listing prefix) each.
fn mixed_rules() -> Vec<Rule> {
    let big_error = || Fault::Answer {
        status: 500,
        body: s3_error("InternalError", 100 * 1024),
    };
    vec![
        rule(
            "GET /alpha/big.bin?versionId=reset",
            Fault::ResetResponseAfter(64 * 1024),
        ),
        rule(
            "GET /alpha/big.bin?versionId=stall",
            Fault::StallResponseAfter(64 * 1024),
        ),
        rule("GET /alpha/big.bin?versionId=error", big_error()),
        rule("prefix=slow", Fault::Delay(TIMEOUT * 2)),
        rule("PUT /alpha/up-", Fault::ResetRequestAfter(64 * 1024)),
    ]
}

/// One round of faulted requests — a reset download, a reset upload, a 5xx with a large
/// body, a client leaving mid-body, and (when `slow`) a stalled download and a tool on a
/// slow store — each checked for its status. (A tool meeting a 5xx or a reset retries
/// with a backoff of seconds: too slow to repeat hundreds of times.)
async fn faulted_round(h: &Harness, i: usize, slow: bool) {
    let status = |r: &reqwest::Response| r.status().as_u16();
    let mut r = h.get("/s3/alpha/big.bin?versionId=reset", tenant()).await;
    while let Ok(Some(_)) = r.chunk().await {}
    let put = h.http.put(h.url(&format!("/s3/alpha/up-{i}.bin")));
    if let Ok(r) = put
        .headers(tenant())
        .body(vec![7u8; 256 * 1024])
        .send()
        .await
    {
        assert_eq!(status(&r), 502);
    }
    let r = h.get("/s3/alpha/big.bin?versionId=error", tenant()).await;
    assert_eq!(status(&r), 502);
    let _ = r.bytes().await.unwrap();
    let mut r = h.get(OBJECT, tenant()).await;
    assert_eq!(status(&r), 200);
    let _ = r.chunk().await;
    drop(r);
    if slow {
        let mut r = h.get("/s3/alpha/big.bin?versionId=stall", tenant()).await;
        while let Ok(Some(_)) = r.chunk().await {}
        let r = h
            .get("/tools/list-all?bucket=alpha&prefix=slow", tenant())
            .await;
        assert_eq!(status(&r), 504);
    }
}

/// `rounds` rounds on `workers` concurrent clients; every tenth round is slow.
async fn faulted_rounds(h: &Arc<Harness>, first: usize, rounds: usize, workers: usize) {
    let mut tasks = Vec::new();
    for w in 0..workers {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            for i in (first + w..first + rounds).step_by(workers) {
                faulted_round(&h, i, i % 10 == 0).await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("a round failed");
    }
}

/// Runs in a child process of its own (the test re-runs its binary on just itself), so
/// the RSS measured is this test's and not that of the tests running alongside.
///
/// The bound: after a warm-up of 100 rounds (pools, caches, the allocator's arenas and
/// the recent-operation journal — capped at 200 entries here — are at their working
/// size), 300 more rounds (1,260 faulted requests) may add at most 8 MiB of RSS.
/// A leak of anything a faulted request holds — its connection (tens of KiB of buffers),
/// an error body (100 KiB), a stalled stream — would add far more than that (1,260 ×
/// 64 KiB ≈ 80 MiB); 8 MiB leaves room for the allocator's fragmentation, which is not
/// a leak and levels off. Besides RSS, no task, store connection or proxied connection
/// may be left over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_flat_under_faults() {
    const CHILD: &str = "SPACEWATCH_FAULTS_MEMORY_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["faults::memory::memory_stays_flat_under_faults", "--exact"])
            .args(["--nocapture", "--include-ignored", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .expect("the test binary runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the measuring child failed:\n{text}");
        assert!(text.contains("1 passed"), "the child ran the test:\n{text}");
        let figures = text.lines().filter_map(|l| l.split_once("memory: "));
        figures.for_each(|(_, f)| eprintln!("memory: {f}"));
        return;
    }
    let (h, proxy) = rig_with(mixed_rules(), |s| s.knobs.max_operations_log = 200).await;
    let h = Arc::new(h);
    let workers = 12;
    faulted_rounds(&h, 0, 100, workers).await;
    let settle = || tokio::time::sleep(TIMEOUT * 2);
    settle().await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let (rss0, tasks0) = (rss(), metrics.num_alive_tasks());
    let (store0, ops0) = (
        h.store.open_connections(),
        h.state.recorder.total_recorded(),
    );
    let started = Instant::now();
    faulted_rounds(&h, 100, 300, workers).await;
    let took = started.elapsed();
    settle().await;
    let (rss1, tasks1) = (rss(), metrics.num_alive_tasks());
    let faulted = h.state.recorder.total_recorded() - ops0;
    println!(
        "memory: {faulted} operations in {took:?}; RSS {:.1} MiB -> {:.1} MiB ({:+.2} MiB); \
         tasks {tasks0} -> {tasks1}; proxy faults {}",
        rss0 as f64 / 1048576.0,
        rss1 as f64 / 1048576.0,
        (rss1 as f64 - rss0 as f64) / 1048576.0,
        proxy.faults()
    );
    // 4 operations a round, two more every tenth round.
    assert_eq!(
        faulted,
        300 * 4 + 30 * 2,
        "every faulted request recorded once"
    );
    assert!(rss1 <= rss0 + 8 * 1024 * 1024, "RSS grew {rss0} -> {rss1}");
    // Pooled connections are tasks too: a few more or fewer, never one per request.
    assert!(
        tasks1 <= tasks0 + 2 * workers,
        "tasks left running: {tasks0} -> {tasks1}"
    );
    assert!(
        h.store.open_connections() <= store0,
        "store connections left open"
    );
    assert_eq!(h.state.recorder.recent_len(), 200);
}
