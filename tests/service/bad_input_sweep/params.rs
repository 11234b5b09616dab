//! Every query parameter of every route, out of range or malformed: each must be refused
//! with a 4xx that names it — or, for the gateway's passed-through S3 parameters, judged
//! by the store (never a 5xx).

use super::request::{Auth, Req};
use super::{Case, Expect, case};

/// Every parameter case.
pub fn all() -> Vec<Case> {
    let mut cases = core_routes();
    cases.extend(access_log_routes());
    cases.extend(snapshot_routes());
    cases.extend(keys_and_prefixes());
    cases
}

/// Every query parameter of the admin, tool and gateway routes.
fn core_routes() -> Vec<Case> {
    use Expect::*;
    let mut cases = Vec::new();
    let admin = |t: &str| Req::of("GET", t, Auth::Admin);
    let tool = |t: &str| Req::of("GET", t, Auth::Tenant);
    let logs = [
        "limit=0",
        "limit=1001",
        "limit=-5",
        "limit=abc",
        "limit=99999999999999999999",
        "limit=1e3",
        "min_duration_ms=-1",
        "min_duration_ms=NaN",
        "min_duration_ms=inf",
        "min_duration_ms=1e999",
        "min_duration_ms=abc",
        "operation_type=FOO",
        "operation_type=%FF",
        "status=maybe",
        "bucket=Not_A_Bucket",
        "bucket=..",
        "bucket=%00abc",
        "bucket=a",
    ];
    for q in logs {
        cases.push(case(
            format!("/logs/operations?{q}"),
            admin(&format!("/logs/operations?{q}")),
            Refused,
        ));
    }
    let buckets = ["", "..", "A", "a", "%2F", "%FF%FE", "alpha%00", "x.y..z"];
    for tool_path in [
        "list-all",
        "storage-summary",
        "top-largest",
        "recent-objects",
    ] {
        let path = format!("/tools/{tool_path}");
        cases.push(case(format!("{path} without bucket"), tool(&path), Refused));
        for b in buckets {
            let t = format!("{path}?bucket={b}");
            cases.push(case(t.clone(), tool(&t), Refused));
        }
        let long = format!("{path}?bucket={}", "b".repeat(64));
        cases.push(case(long.clone(), tool(&long), Refused));
        let prefix = format!("{path}?bucket=alpha&prefix={}", "%FF".repeat(700));
        cases.push(case(format!("{path} 2 KB bad prefix"), tool(&prefix), Any));
    }
    for (path, max) in [("top-largest", 50), ("recent-objects", 200)] {
        for l in [
            "0".to_string(),
            (max + 1).to_string(),
            "-1".into(),
            "abc".into(),
            "1e2".into(),
            "99999999999999999999".into(),
        ] {
            let t = format!("/tools/{path}?bucket=alpha&limit={l}");
            cases.push(case(t.clone(), tool(&t), Refused));
        }
    }
    // The gateway forwards every sub-resource and parameter; the store judges them.
    for q in ["acl", "uploads", "policy=1", "versions", "delete"] {
        let t = format!("/s3/alpha?{q}");
        cases.push(case(t.clone(), tool(&t), Forwarded));
    }
    for q in [
        "max-keys=-1",
        "max-keys=abc",
        "max-keys=99999999999999999999",
        "list-type=3",
        "encoding-type=bogus",
        "continuation-token=%FF%FE",
        "fetch-owner=maybe",
        "start-after=%FF",
        "delimiter=%00",
        "prefix=%FF",
    ] {
        let t = format!("/s3/alpha?{q}");
        cases.push(case(t.clone(), tool(&t), Any));
    }
    for q in [
        "acl",
        "uploads",
        "partNumber=1",
        "uploadId=x",
        "tagging",
        "torrent",
    ] {
        let t = format!("/s3/alpha/dir/obj-0000?{q}");
        cases.push(case(t.clone(), tool(&t), Forwarded));
    }
    for q in [
        "versionId=%FF",
        "response-content-type=%0D%0AX-Evil:%201",
        "response-expires=never",
    ] {
        let t = format!("/s3/alpha/dir/obj-0000?{q}");
        cases.push(case(t.clone(), tool(&t), Any));
    }
    cases.extend(mission_control());
    cases
}

/// Mission Control's series and events (the fleet routes answer 503 here, with no
/// engine: their parameters are swept in tests/fleet).
fn mission_control() -> Vec<Case> {
    let admin = |t: &str| Req::of("GET", t, Auth::Admin);
    let mut cases = Vec::new();
    for q in [
        "window=0m",
        "window=1441m",
        "window=60",
        "window=-5m",
        "window=99999999999999999999m",
        "window=%FF",
        "resolution=0m",
        "resolution=61m",
        "resolution=7m",
        "resolution=1.5m",
        "window=25h&resolution=1h",
    ] {
        let t = format!("/admin/api/timeseries?{q}");
        cases.push(case(t.clone(), admin(&t), Expect::Refused));
    }
    for l in ["0", "501", "-1", "abc", "99999999999999999999"] {
        let t = format!("/admin/api/events?limit={l}");
        cases.push(case(t.clone(), admin(&t), Expect::Refused));
    }
    cases
}

/// `/logs/access/…`, `/metrics/top-ips`, `/plots/top-ips.png` (the log bucket is `beta`).
fn access_log_routes() -> Vec<Case> {
    let tool = |t: &str| Req::of("GET", t, Auth::Tenant);
    let mut cases = Vec::new();
    let window = [
        "date=2024-13-45",
        "date=garbage",
        "date=%FF%FE",
        "date=2024-01-01&hours=3",
        "hours=0",
        "hours=-1",
        "hours=9000",
        "hours=99999999999999999999",
        "source_bucket=Not_A_Bucket",
        "source_bucket=..",
    ];
    let routes = [
        "/logs/access/files?",
        "/logs/access/read?key=k&",
        "/logs/access/search?",
        "/logs/access/object-audit?object_key=k&",
        "/logs/access/hot-prefixes?",
        "/logs/access/request-metrics?",
        "/metrics/top-ips?",
        "/plots/top-ips.png?",
    ];
    for r in routes {
        for q in window {
            let t = format!("{r}{q}");
            cases.push(case(t.clone(), tool(&t), Expect::Refused));
        }
    }
    for t in [
        "/logs/access/read",
        "/logs/access/read?offset=-1&key=k",
        "/logs/access/read?offset=99999999999999999999&key=k",
        "/logs/access/read?limit=0&key=k",
        "/logs/access/read?limit=1001&key=k",
        "/logs/access/search?limit=0",
        "/logs/access/search?limit=1001",
        "/logs/access/object-audit",
        "/logs/access/object-audit?object_key=k&methods=FOO",
        "/logs/access/object-audit?object_key=k&methods=%FF",
        "/logs/access/hot-prefixes?depth=0",
        "/logs/access/hot-prefixes?depth=5",
        "/logs/access/hot-prefixes?limit=101",
        "/logs/access/request-metrics?top=0",
        "/logs/access/request-metrics?top=101",
        "/metrics/top-ips?limit=0",
        "/metrics/top-ips?limit=101",
        "/plots/top-ips.png?limit=31",
    ] {
        cases.push(case(t, tool(t), Expect::Refused));
    }
    // Free-text filters are matched, not parsed: anything goes but a 5xx.
    for q in [
        "contains=%00%FF",
        "ip=not-an-ip",
        "status_prefix=abc",
        "method=%0D%0A",
    ] {
        let t = format!("/logs/access/search?{q}");
        cases.push(case(t.clone(), tool(&t), Expect::Any));
    }
    let no_log_bucket = tool("/logs/access/files").without("X-Log-Bucket");
    cases.push(case(
        "access logs without X-Log-Bucket",
        no_log_bucket,
        Expect::Refused,
    ));
    let long_prefix = tool("/logs/access/files").with("X-Log-Prefix", "p/".repeat(300));
    cases.push(case(
        "X-Log-Prefix over 512 bytes",
        long_prefix,
        Expect::Refused,
    ));
    cases
}

/// `/metrics/snapshot`, `/trigger-snapshot-all`, `/metrics/sources|series|aggregate-series`
/// (the metrics bucket is `gamma`).
fn snapshot_routes() -> Vec<Case> {
    let get = |t: &str| Req::of("GET", t, Auth::Tenant);
    let post = |t: &str| Req::of("POST", t, Auth::Tenant);
    let mut cases = vec![
        case(
            "snapshot without source_bucket",
            post("/metrics/snapshot"),
            Expect::Refused,
        ),
        case(
            "series without source_bucket",
            get("/metrics/series"),
            Expect::Refused,
        ),
    ];
    for b in ["Not_A_Bucket", "..", "%FF", "a"] {
        let t = format!("/metrics/snapshot?source_bucket={b}");
        cases.push(case(t.clone(), post(&t), Expect::Refused));
        let t = format!("/metrics/series?source_bucket={b}");
        cases.push(case(t.clone(), get(&t), Expect::Refused));
    }
    for h in ["0", "-1", "abc", "99999999", "99999999999999999999"] {
        for r in [
            "/metrics/series?source_bucket=alpha&",
            "/metrics/aggregate-series?",
        ] {
            let t = format!("{r}hours={h}");
            cases.push(case(t.clone(), get(&t), Expect::Refused));
        }
    }
    let no_metrics_bucket = get("/metrics/sources").without("X-Metrics-Bucket");
    cases.push(case(
        "snapshots without X-Metrics-Bucket",
        no_metrics_bucket,
        Expect::Refused,
    ));
    cases
}

/// Keys and prefixes that a path-minded store would normalise (issue 18, item 4), in every
/// parameter and header that names one, and `/logs/access/files`' `limit`.
fn keys_and_prefixes() -> Vec<Case> {
    let get = |t: &str| Req::of("GET", t, Auth::Tenant);
    let post = |t: &str| Req::of("POST", t, Auth::Tenant);
    let escapes = [
        "..%2Falpha%2Fdir%2Fobj-0000",
        "a%2F..%2F..%2Falpha%2Fx",
        "%252e%252e%2Falpha%2Fx",
        "%2Falpha%2Fx",
        "a%2F%2Fb",
        "a%2F.%2Fb",
        "a%00b",
        "a%0Ab",
    ];
    let mut cases = Vec::new();
    for e in escapes {
        for t in [
            format!("/logs/access/read?key={e}"),
            format!("/tools/list-all?bucket=alpha&prefix={e}"),
            format!("/tools/top-largest?bucket=alpha&prefix={e}"),
        ] {
            cases.push(case(t.clone(), get(&t), Expect::Refused));
        }
        let t = format!("/metrics/snapshot?source_bucket=alpha&source_prefix={e}");
        cases.push(case(t.clone(), post(&t), Expect::Refused));
    }
    let key = format!("/logs/access/read?key={}", "k".repeat(1025));
    cases.push(case("read key over 1024 bytes", get(&key), Expect::Refused));
    for p in [
        "../alpha/",
        "logs/../../alpha/",
        "%2e%2e/",
        "/abs/",
        "a//b/",
        "a/./",
    ] {
        for (header, path) in [
            ("X-Log-Prefix", "/logs/access/files"),
            ("X-Log-Prefix", "/logs/access/search"),
            ("X-Metrics-Prefix", "/metrics/sources"),
            ("X-Metrics-Prefix", "/metrics/aggregate-series"),
        ] {
            let name = format!("{header}: {p} on {path}");
            cases.push(case(name, get(path).with(header, p), Expect::Refused));
        }
        let snap = post("/metrics/snapshot?source_bucket=alpha").with("X-Metrics-Prefix", p);
        cases.push(case(
            format!("X-Metrics-Prefix: {p} on a snapshot"),
            snap,
            Expect::Refused,
        ));
    }
    for l in ["0", "10001", "-1", "abc", "99999999999999999999"] {
        let t = format!("/logs/access/files?limit={l}");
        cases.push(case(t.clone(), get(&t), Expect::Refused));
    }
    cases
}
