//! OTLP from two replicas of one service: each names itself with its own
//! `service.instance.id` (explicit, or the default hostname:port), so their metric
//! series never collide in the backend.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::otlp::{Receiver, str_attr};
use crate::support::{Replica, SECRET, call, store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_export_with_distinct_instance_ids() {
    let collector = Receiver::http().await;
    let store = store().await;
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_SERVICE_NAME", "spacewatch"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "200"),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ];
    let mut a_env = env.to_vec();
    a_env.push(("SPACEWATCH_INSTANCE_ID", "replica-a"));
    let a = Replica::start(&store, &[], &a_env);
    let b = Replica::start(&store, &[], &env);
    for r in [&a, &b] {
        call(
            &r.base,
            reqwest::Method::GET,
            "/tools/buckets",
            SECRET,
            None,
            200,
        )
        .await;
    }
    let expected: BTreeSet<String> = [
        "replica-a".to_string(),
        format!("{}:{}", hostname(), b.port()),
    ]
    .into();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (metric_ids, span_ids) = {
            let got = collector.receiver.got.lock();
            let ids = |res: Vec<Option<&opentelemetry_proto::tonic::resource::v1::Resource>>| {
                res.into_iter()
                    .flatten()
                    .filter(|r| {
                        str_attr(&r.attributes, "service.name").as_deref() == Some("spacewatch")
                    })
                    .filter_map(|r| str_attr(&r.attributes, "service.instance.id"))
                    .collect::<BTreeSet<String>>()
            };
            (
                ids(got.metrics.iter().map(|m| m.resource.as_ref()).collect()),
                ids(got.spans.iter().map(|s| s.resource.as_ref()).collect()),
            )
        };
        if metric_ids == expected && span_ids == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "instance ids: metrics {metric_ids:?}, spans {span_ids:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap()
}
