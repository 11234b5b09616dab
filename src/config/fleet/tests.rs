use clap::Parser;

use super::*;
use crate::config::{Cli, Command};

fn args(extra: &[&str]) -> FleetArgs {
    let mut argv = vec!["spacewatch", "serve"];
    argv.extend_from_slice(extra);
    match Cli::parse_from(argv).command {
        Command::Serve(a) => a.fleet,
        Command::Setup(_) => unreachable!(),
    }
}

#[test]
fn off_without_a_url() {
    assert!(engine(&args(&[])).unwrap().is_none());
}

#[test]
fn userinfo_becomes_basic_auth_and_leaves_the_url() {
    let e = engine(&args(&[
        "--prometheus-url",
        "https://ops:p%40ss@prom.example:9090/prefix",
    ]))
    .unwrap()
    .unwrap();
    assert_eq!(e.url.as_str(), "https://prom.example:9090/prefix");
    match &e.auth {
        EngineAuth::Basic { user, password } => {
            assert_eq!(user, "ops");
            assert_eq!(password.as_ref().unwrap().expose(), "p@ss");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.job, "spacewatch");
    assert_eq!(e.timeout, Duration::from_secs(10));
    assert!(!format!("{e:?}").contains("p@ss"));
}

#[test]
fn bearer_token_and_the_checks() {
    let e = engine(&args(&[
        "--prometheus-url",
        "http://vm:8428",
        "--prometheus-bearer-token",
        "tok",
        "--prometheus-timeout-sec",
        "2.5",
        "--prometheus-job",
        "sw-fleet",
    ]))
    .unwrap()
    .unwrap();
    assert!(matches!(&e.auth, EngineAuth::Bearer(t) if t.expose() == "tok"));
    assert_eq!(e.timeout, Duration::from_millis(2500));
    assert_eq!(e.job, "sw-fleet");
    for bad in [
        vec!["--prometheus-url", "ftp://x"],
        vec!["--prometheus-url", "not a url"],
        vec!["--prometheus-url", "http://x/?token=1"],
        vec![
            "--prometheus-url",
            "http://x",
            "--prometheus-timeout-sec",
            "0",
        ],
        vec![
            "--prometheus-url",
            "http://u:p@x",
            "--prometheus-bearer-token",
            "t",
        ],
        vec!["--prometheus-url", "http://x", "--prometheus-password", "p"],
    ] {
        let err = engine(&args(&bad)).unwrap_err().to_string();
        assert!(!err.contains("u:p"), "{err}");
    }
}

#[test]
fn instance_id_flag_then_otel_then_host_and_port() {
    let id = instance_id(&Some("replica-a".into()), Some("otel".into()), 1).unwrap();
    assert_eq!((id.value.as_str(), id.explicit), ("replica-a", true));
    let id = instance_id(&None, Some("from-otel".into()), 1).unwrap();
    assert_eq!(id.value, "from-otel");
    let id = instance_id(&None, None, 8123).unwrap();
    assert!(id.value.ends_with(":8123") && !id.explicit, "{id}");
    assert!(instance_id(&Some("a\nb".into()), None, 1).is_err());
}
