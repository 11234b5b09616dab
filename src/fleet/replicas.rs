//! `replicas` of `/fleet/operations`: every scrape target of the job, up or not, with its
//! last scrape, its current-window operations and its `service.instance.id`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::wire::Sample;
use super::wire::{count, label, unix};

/// One replica as the engine sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Replica {
    pub instance: String,
    pub service_instance_id: Option<String>,
    pub up: bool,
    pub operations_current: u64,
    pub last_scrape: Option<f64>,
}

/// The replicas, sorted by instance.
pub fn replicas(samples: &[Sample]) -> Vec<Replica> {
    let mut by: BTreeMap<String, Replica> = BTreeMap::new();
    for s in samples {
        let Some(instance) = label(s, "instance") else {
            continue;
        };
        let r = by.entry(instance.to_string()).or_insert_with(|| Replica {
            instance: instance.to_string(),
            service_instance_id: None,
            up: false,
            operations_current: 0,
            last_scrape: None,
        });
        match label(s, "figure") {
            Some("up") => r.up = s.value == 1.0,
            Some("scraped") => r.last_scrape = Some(s.value),
            Some("ops") => r.operations_current = count(s.value),
            Some("info") => {
                r.service_instance_id = label(s, "service_instance_id")
                    .filter(|v| !v.is_empty())
                    .map(str::to_string);
            }
            _ => {}
        }
    }
    by.into_values().collect()
}

/// One row of the `replicas` list of `/fleet/operations`.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicaRow {
    pub instance: String,
    pub service_instance_id: Option<String>,
    pub up: bool,
    /// One key, named after the current window: `operations_5m`.
    #[serde(flatten)]
    pub operations: BTreeMap<String, u64>,
    pub last_scrape: Option<String>,
    pub last_scrape_age_seconds: Option<f64>,
}

/// The `replicas` list; the operations key names the current window (`operations_5m`).
pub fn rows(replicas: &[Replica], current_label: &str, now: f64) -> Vec<ReplicaRow> {
    replicas
        .iter()
        .map(|r| ReplicaRow {
            instance: r.instance.clone(),
            service_instance_id: r.service_instance_id.clone(),
            up: r.up,
            operations: BTreeMap::from([(
                format!("operations_{current_label}"),
                r.operations_current,
            )]),
            last_scrape: r.last_scrape.map(|t| unix(t).to_rfc3339()),
            last_scrape_age_seconds: r
                .last_scrape
                .map(|t| ((now - t).max(0.0) * 1000.0).round() / 1000.0),
        })
        .collect()
}
