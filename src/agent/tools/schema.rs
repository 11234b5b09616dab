//! Descriptions and JSON Schemas of the tools' arguments (draft 2020-12 subset that
//! OpenAI's `tools` and MCP's `inputSchema` both accept: an object with typed properties).

use serde_json::{Map, Value, json};

use super::ToolId;
use crate::accesslog::summary::MAX_DEPTH;

pub fn description(t: ToolId) -> &'static str {
    match t {
        ToolId::ListBuckets => "List the buckets these credentials can see.",
        ToolId::ListObjects => {
            "List objects of a bucket (optionally under a prefix): the first `limit` objects, \
             and the exact count and total bytes of all of them."
        }
        ToolId::RecentObjects => "The most recently modified objects of a bucket, newest first.",
        ToolId::StorageSummary => {
            "Object count, total bytes and average object size of a bucket (or a prefix of it)."
        }
        ToolId::TopLargest => "The largest objects of a bucket, largest first.",
        ToolId::MetricsSources => {
            "Buckets with metric snapshots in the last `hours` (default 168 = a week): latest \
             objects and bytes, and growth in bytes and objects over the window. Use it for \
             'which bucket grew most'."
        }
        ToolId::MetricsSeries => {
            "Snapshot time series of one source bucket (or summed over all buckets when \
             source_bucket is omitted): objects, bytes, requests, bytes sent, 4xx/5xx, unique IPs."
        }
        ToolId::ListAccessLogs => "List the access-log objects (newest delivery first).",
        ToolId::ReadAccessLog => "Read the lines of one access-log object, paged.",
        ToolId::SearchAccessLogs => {
            "Search access-log lines (newest first) by method, key part, status prefix, IP or text."
        }
        ToolId::ObjectAudit => {
            "Who GET/PUT/HEAD/DELETE/COPY'd one object key, from which IP and when."
        }
        ToolId::TopIps => {
            "The client IPs with the most requests (with bytes sent and errors) in the access logs: \
             who is downloading."
        }
        ToolId::HotPrefixes => {
            "Key prefixes ranked by requests, by 4xx/5xx errors and by SlowDown/503 answers."
        }
        ToolId::RequestMetrics => {
            "Request metrics from the access logs: requests by operation, method and status class, \
             bytes sent, unique IPs, top IPs, latency percentiles."
        }
        ToolId::OperationMetrics => {
            "This tenant's own recent SpaceWatch operations: counts, errors and latency by \
             operation type, and the latest entries."
        }
        ToolId::TakeSnapshot => {
            "Take a metric snapshot of a bucket now and append it to the metrics bucket (writes)."
        }
    }
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn integer(description: &str, min: u64, max: u64, default: u64) -> Value {
    json!({
        "type": "integer", "description": description,
        "minimum": min, "maximum": max, "default": default,
    })
}

fn object(props: &[(&str, Value)], required: &[&str]) -> Value {
    let properties: Map<String, Value> = props
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    json!({ "type": "object", "properties": properties, "required": required })
}

fn bucket() -> Value {
    string("Bucket name.")
}

fn prefix() -> Value {
    string("Only keys starting with this prefix (optional).")
}

fn source() -> Value {
    string("Only requests to this bucket (optional).")
}

fn date() -> Value {
    string("One UTC day, YYYY-MM-DD (optional; not with hours).")
}

fn hours() -> Value {
    integer(
        "The last N hours, the current one included (optional; not with date).",
        1,
        8784,
        24,
    )
}

/// The log-window properties with `extra` before them.
fn logs(extra: &[(&str, Value)], required: &[&str]) -> Value {
    let mut props = extra.to_vec();
    props.extend([
        ("source_bucket", source()),
        ("date", date()),
        ("hours", hours()),
    ]);
    object(&props, required)
}

pub fn parameters(t: ToolId) -> Value {
    match t {
        ToolId::ListBuckets => object(&[], &[]),
        ToolId::ListObjects => object(
            &[
                ("bucket", bucket()),
                ("prefix", prefix()),
                ("limit", integer("Objects to return.", 1, 200, 50)),
            ],
            &["bucket"],
        ),
        ToolId::RecentObjects | ToolId::TopLargest => object(
            &[
                ("bucket", bucket()),
                ("prefix", prefix()),
                ("limit", integer("Objects to return.", 1, 50, 10)),
            ],
            &["bucket"],
        ),
        ToolId::StorageSummary => {
            object(&[("bucket", bucket()), ("prefix", prefix())], &["bucket"])
        }
        ToolId::MetricsSources => {
            object(&[("hours", integer("Window in hours.", 1, 8784, 168))], &[])
        }
        ToolId::MetricsSeries => object(
            &[
                (
                    "source_bucket",
                    string("The bucket the snapshots are of (omit for the sum over all)."),
                ),
                ("hours", integer("Window in hours.", 1, 8784, 168)),
            ],
            &[],
        ),
        ToolId::ListAccessLogs => {
            logs(&[("limit", integer("Objects to return.", 1, 200, 50))], &[])
        }
        ToolId::ReadAccessLog => object(
            &[
                (
                    "key",
                    string("The log object's key (from list_access_logs)."),
                ),
                ("offset", integer("Lines to skip.", 0, 1 << 40, 0)),
                ("limit", integer("Lines to return.", 1, 200, 50)),
            ],
            &["key"],
        ),
        ToolId::SearchAccessLogs => logs(
            &[
                ("method", string("HTTP method, e.g. GET, PUT, DELETE.")),
                ("object_key", string("A part of the object key.")),
                (
                    "status_prefix",
                    string("First digits of the status: 4, 40, 404."),
                ),
                ("contains", string("Text the raw line contains.")),
                ("ip", string("The client IP, exactly.")),
                ("limit", integer("Lines to return.", 1, 200, 20)),
            ],
            &[],
        ),
        ToolId::ObjectAudit => logs(
            &[
                ("object_key", string("The object key, exactly (decoded).")),
                (
                    "methods",
                    string(
                        "Verbs to keep, comma-separated: GET,PUT,HEAD,DELETE,COPY,POST (default all).",
                    ),
                ),
                (
                    "limit",
                    integer("Events to return (the newest).", 1, 200, 50),
                ),
            ],
            &["object_key"],
        ),
        ToolId::TopIps => logs(&[("limit", integer("IPs to return.", 1, 100, 10))], &[]),
        ToolId::HotPrefixes => logs(
            &[
                ("depth", integer("Folders deep.", 1, MAX_DEPTH as u64, 1)),
                ("limit", integer("Prefixes per ranking.", 1, 100, 10)),
            ],
            &[],
        ),
        ToolId::RequestMetrics => logs(&[("top", integer("Top IPs to include.", 1, 50, 5))], &[]),
        ToolId::OperationMetrics => object(
            &[
                (
                    "operation_type",
                    string(
                        "LIST_BUCKETS, LIST_OBJECTS, ANALYZE_STORAGE, QUERY_METRICS, QUERY_LOGS, AI_QUERY, GET_OBJECT, PUT_OBJECT, HEAD_OBJECT or DELETE_OBJECT (optional).",
                    ),
                ),
                ("limit", integer("Latest operations to list.", 1, 50, 10)),
            ],
            &[],
        ),
        ToolId::TakeSnapshot => object(
            &[
                ("source_bucket", bucket()),
                ("source_prefix", prefix()),
                (
                    "hours",
                    integer("Window of the request metrics, hours.", 1, 8784, 24),
                ),
            ],
            &["source_bucket"],
        ),
    }
}

#[cfg(test)]
mod tests;
