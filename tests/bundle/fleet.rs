//! The fleet bundle: `docker-compose.fleet.yml`, `prometheus.fleet.yml`,
//! `nginx/fleet.conf`, and the dashboard's replica variable — the replicas named alike
//! everywhere, so that Prometheus' `instance` is each replica's `service.instance.id`.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::dashboard::{dashboard, exprs, panels};
use crate::support::{read, repo, require, run, yaml};

const REPLICAS: [&str; 3] = ["spacewatch-1", "spacewatch-2", "spacewatch-3"];

fn targets(text: &str) -> BTreeSet<String> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("- targets: "))
        .expect("a targets line");
    serde_json::from_str::<Vec<String>>(line)
        .expect("a JSON-style list")
        .into_iter()
        .collect()
}

#[test]
#[ignore = "needs python3 with PyYAML"]
fn the_replicas_are_named_alike_in_compose_prometheus_and_nginx() {
    let compose = yaml("docker-compose.fleet.yml");
    let services = &compose["services"];
    let expected: BTreeSet<String> = REPLICAS.iter().map(|r| format!("{r}:8000")).collect();
    let mut ids = BTreeSet::new();
    for r in REPLICAS {
        let s = &services[r];
        assert_eq!(s["build"], ".", "{r}");
        assert_eq!(
            s["hostname"], r,
            "{r}: the default instance id is hostname:port"
        );
        let env = &s["environment"];
        assert_eq!(
            env["SPACEWATCH_PROMETHEUS_URL"], "http://prometheus:9090",
            "{r}"
        );
        assert_eq!(env["OTEL_SERVICE_NAME"], "spacewatch", "{r}");
        ids.insert(env["SPACEWATCH_INSTANCE_ID"].as_str().unwrap().to_string());
        assert!(
            s.get("ports").is_none(),
            "{r} is reached through nginx only"
        );
    }
    assert_eq!(
        ids, expected,
        "one distinct service.instance.id per replica"
    );
    // Prometheus scrapes each replica itself, under the job the fleet view asks for.
    let prom = read("prometheus.fleet.yml");
    assert_eq!(targets(&prom), expected, "{prom}");
    assert!(prom.contains("job_name: spacewatch\n"), "{prom}");
    assert!(prom.contains("  - prometheus/rules/*.yml\n"), "{prom}");
    let volumes: Vec<&str> = services["prometheus"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(volumes.contains(&"./prometheus.fleet.yml:/etc/prometheus/prometheus.yml:ro"));
    assert!(volumes.contains(&"./prometheus/rules:/etc/prometheus/prometheus/rules:ro"));
    // nginx balances over the same three and is the one published port 8000.
    let nginx = read("nginx/fleet.conf");
    let servers: BTreeSet<String> = nginx
        .lines()
        .filter_map(|l| l.trim().strip_prefix("server "))
        .filter_map(|s| s.strip_suffix(';').map(str::to_string))
        .collect();
    assert_eq!(servers, expected, "{nginx}");
    let n = &services["nginx"];
    assert_eq!(n["ports"][0], "8000:8000");
    // nginx forwards the client's address, from a fixed address on the bundle's network
    // that every replica trusts (issue 18, item 8: without it, everyone behind nginx was
    // one client for the rate limits and the admin-key lock-out).
    assert!(
        nginx.contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"),
        "{nginx}"
    );
    let nginx_ip = n["networks"]["default"]["ipv4_address"].as_str().unwrap();
    let subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
        .as_str()
        .unwrap();
    let (net, bits) = subnet.split_once('/').unwrap();
    let (net, bits): (std::net::Ipv4Addr, u32) = (net.parse().unwrap(), bits.parse().unwrap());
    let ip: std::net::Ipv4Addr = nginx_ip.parse().unwrap();
    let mask = u32::MAX << (32 - bits);
    assert_eq!(
        u32::from(ip) & mask,
        u32::from(net),
        "{nginx_ip} in {subnet}"
    );
    for r in REPLICAS {
        assert_eq!(
            services[r]["environment"]["TRUSTED_PROXIES"], nginx_ip,
            "{r} trusts nginx, and nothing else"
        );
    }
    assert_eq!(
        n["volumes"][0],
        "./nginx/fleet.conf:/etc/nginx/conf.d/default.conf:ro"
    );
    for (name, s) in services.as_object().unwrap() {
        for v in s["volumes"].as_array().into_iter().flatten() {
            let src = v.as_str().unwrap().split(':').next().unwrap();
            if src.starts_with("./") {
                assert!(
                    repo(src).exists(),
                    "{name} mounts {src}, which does not exist"
                );
            }
        }
    }
}

#[test]
#[ignore = "needs prometheus (promtool)"]
fn promtool_accepts_the_fleet_config() {
    require("promtool");
    let (ok, out, err) = run(Command::new("promtool")
        .args(["check", "config", "prometheus.fleet.yml"])
        .current_dir(repo("")));
    assert!(ok && out.contains("SUCCESS"), "{out}{err}");
}

#[test]
fn the_dashboard_has_a_replica_variable_and_per_replica_panels() {
    let d = dashboard();
    let vars = d["templating"]["list"].as_array().unwrap();
    let instance = vars
        .iter()
        .find(|v| v["name"] == "instance")
        .expect("an instance variable");
    assert_eq!(instance["includeAll"], true);
    assert_eq!(instance["multi"], true);
    assert!(
        instance["query"]["query"]
            .as_str()
            .unwrap()
            .contains("instance)"),
        "{instance}"
    );
    // Every query follows the variable; All is the fleet.
    for (title, expr) in exprs(&d) {
        assert!(expr.contains(r#"instance=~"$instance""#), "{title}: {expr}");
    }
    let per_replica: Vec<&Value> = panels(&d)
        .into_iter()
        .filter(|p| {
            p["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| t["expr"].as_str().unwrap_or("").contains("by (instance"))
        })
        .collect();
    assert!(
        per_replica.len() >= 3,
        "{} per-replica panels",
        per_replica.len()
    );
    assert!(
        per_replica
            .iter()
            .all(|p| p["targets"][0]["legendFormat"] == "{{instance}}")
    );
}
