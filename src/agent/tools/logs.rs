//! Access-log tools, over the tenant's `X-Log-Bucket` under `X-Log-Prefix`: list, read and
//! search the logs, audit one object, top IPs, hot prefixes, request metrics. Log lines are
//! shortened to the fields a question needs.

use serde_json::Value;

use self::answers::{Coverage, Line, PageEntry};
use super::{Args, ToolEnv, ToolError, ToolOutput, typed};
use crate::accesslog;
use crate::accesslog::LogError;
use crate::accesslog::audit::Audit;
use crate::accesslog::report::CoverageJson;
use crate::accesslog::scan::{Logs, Query};
use crate::accesslog::search::Filter;
use crate::accesslog::summary::MAX_DEPTH;
use crate::storage::listing::human_bytes;
use crate::storage::{BucketName, ObjectKey};

/// The tenant's log bucket, checked.
async fn log_bucket(env: &ToolEnv<'_>) -> Result<BucketName, ToolError> {
    let b = env.tenant.creds.log_bucket.clone().ok_or(LogError::NotConfigured(
        "no access logs configured: the request needs an X-Log-Bucket header (and X-Log-Prefix)",
    ))?;
    env.check(&b).await?;
    Ok(b)
}

fn logs<'a>(env: &'a ToolEnv<'_>, bucket: &'a BucketName) -> Logs<'a> {
    Logs {
        tenant: env.tenant,
        bucket,
        prefix: &env.tenant.creds.log_prefix,
        access: Some(env.access),
    }
}

fn query(env: &ToolEnv<'_>, a: &Args) -> Result<Query, ToolError> {
    Ok(Query {
        source: a.bucket("source_bucket")?.map(|b| b.to_string()),
        window: a.window(env.now())?,
    })
}

mod answers;

fn window_text(q: &Query) -> String {
    let (from, _) = q.window.bounds();
    let of = q
        .source
        .as_deref()
        .map(|s| format!(" of {s}"))
        .unwrap_or_default();
    match from {
        Some(f) => format!("{of} since {f}"),
        None => of,
    }
}

pub async fn files(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let q = query(env, a)?;
    let limit = a.int("limit", 1..=200, 50)? as usize;
    let b = log_bucket(env).await?;
    let (objects, listed) = env.reader.objects(&logs(env, &b), &q).await?;
    let total: u64 = objects.iter().map(|o| o.size).sum();
    Ok(ToolOutput {
        summary: format!(
            "{} log object(s){}, {}",
            objects.len(),
            window_text(&q),
            human_bytes(total)
        ),
        value: typed(&answers::Files {
            log_bucket: b.as_str(),
            count: objects.len(),
            objects_listed: listed,
            total_bytes: total,
            returned: objects.len().min(limit),
            files: objects
                .iter()
                .take(limit)
                .map(|o| accesslog::answers::file_json(o, env.reader.max_bytes))
                .collect(),
        }),
        subject: q.source,
    })
}

pub async fn read(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let key = ObjectKey::parse(a.require("key")?)
        .map_err(|e| ToolError::bad_args(format!("'key': {e}")))?;
    let offset = a.int("offset", 0..=u64::MAX / 2, 0)?;
    let limit = a.int("limit", 1..=200, 50)? as usize;
    let b = log_bucket(env).await?;
    let page = env.reader.read(&logs(env, &b), &key, offset, limit).await?;
    let lines: Vec<PageEntry> = page.lines.iter().map(PageEntry::from).collect();
    Ok(ToolOutput {
        summary: format!("{key}: {} of {} line(s)", lines.len(), page.total_lines),
        value: typed(&answers::Page {
            key: key.as_str(),
            offset,
            returned: lines.len(),
            total_lines: page.total_lines,
            has_more: offset + (lines.len() as u64) < page.total_lines,
            lines,
        }),
        subject: None,
    })
}

pub async fn search(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let q = query(env, a)?;
    let limit = a.int("limit", 1..=200, 20)? as usize;
    let own = |n: &str| a.str(n).map(|v| v.map(str::to_string));
    let filter = Filter {
        source: q.source.clone(),
        method: own("method")?.map(|m| m.to_ascii_uppercase()),
        object_key: own("object_key")?,
        status_prefix: own("status_prefix")?,
        contains: own("contains")?,
        ip: own("ip")?,
    };
    filter.validate()?;
    let b = log_bucket(env).await?;
    let found = env
        .reader
        .search(&logs(env, &b), &filter, q.window, limit)
        .await?;
    Ok(ToolOutput {
        summary: format!("{} matching line(s){}", found.count, window_text(&q)),
        value: typed(&answers::Search {
            count: found.count,
            returned: found.results.len(),
            truncated: found.count > found.results.len() as u64,
            results: found.results.iter().map(Line::from).collect(),
            coverage: Coverage::from(&CoverageJson::from(&found.coverage)),
        }),
        subject: q.source,
    })
}

/// `methods` as a comma-separated string or a list of verbs.
fn methods(a: &Args) -> Result<Vec<String>, ToolError> {
    let v = a.to_value();
    let joined = match &v["methods"] {
        Value::Array(items) => Some(
            items
                .iter()
                .map(|i| i.as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => a.str("methods")?.map(str::to_string),
    };
    Ok(Audit::verbs(joined.as_deref())?)
}

pub async fn audit(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let q = query(env, a)?;
    let key = a.require("object_key")?.to_string();
    let limit = a.int("limit", 1..=200, 50)? as usize;
    let audit = Audit {
        source: q.source.clone(),
        key: key.clone(),
        verbs: methods(a)?,
        window: q.window,
    };
    let b = log_bucket(env).await?;
    let t = env.reader.audit(&logs(env, &b), &audit).await?;
    let skip = t.events.len().saturating_sub(limit);
    Ok(ToolOutput {
        summary: format!("{key}: {} event(s){}", t.count, window_text(&q)),
        value: typed(&answers::Audit {
            object_key: &key,
            count: t.count,
            returned: t.events.len() - skip,
            note: (skip > 0).then_some("the newest events, oldest first"),
            events: t.events[skip..].iter().map(Line::from).collect(),
            coverage: Coverage::from(&CoverageJson::from(&t.coverage)),
        }),
        subject: q.source,
    })
}

pub async fn top_ips(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let q = query(env, a)?;
    let limit = a.int("limit", 1..=100, 10)? as usize;
    let b = log_bucket(env).await?;
    let (m, cov) =
        accesslog::answers::request_metrics(env.reader, &logs(env, &b), &q, limit).await?;
    let first = m
        .top_ips
        .first()
        .map(|t| format!("; top {} with {} request(s)", t.ip, t.requests))
        .unwrap_or_default();
    Ok(ToolOutput {
        summary: format!(
            "{} request(s) from {} IP(s){}{first}",
            m.requests_total,
            m.unique_ips,
            window_text(&q)
        ),
        value: typed(&answers::TopIps {
            requests_total: m.requests_total,
            bytes_sent: m.bytes_sent,
            unique_ips: m.unique_ips,
            top_ips: &m.top_ips,
            coverage: Coverage::from(&cov),
        }),
        subject: q.source,
    })
}

pub async fn hot_prefixes(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let q = query(env, a)?;
    let depth = a.int("depth", 1..=MAX_DEPTH as u64, 1)? as usize;
    let limit = a.int("limit", 1..=100, 10)? as usize;
    let b = log_bucket(env).await?;
    let hot =
        accesslog::answers::hot_prefixes(env.reader, &logs(env, &b), &q, depth, limit).await?;
    let first = hot
        .by_requests
        .first()
        .map(|p| format!("; top {} with {} request(s)", p.prefix, p.requests))
        .unwrap_or_default();
    Ok(ToolOutput {
        summary: format!("{} prefix(es){}{first}", hot.prefixes, window_text(&q)),
        value: typed(&answers::HotPrefixes {
            depth: hot.depth,
            prefixes: hot.prefixes,
            by_requests: &hot.by_requests,
            by_errors: &hot.by_errors,
            by_slowdowns: &hot.by_slowdowns,
            coverage: Coverage::from(&hot.coverage),
        }),
        subject: q.source,
    })
}

pub async fn request_metrics(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let q = query(env, a)?;
    let top = a.int("top", 1..=50, 5)? as usize;
    let b = log_bucket(env).await?;
    let (m, cov) = accesslog::answers::request_metrics(env.reader, &logs(env, &b), &q, top).await?;
    let summary = format!(
        "{} request(s), {} sent, {} 4xx, {} 5xx{}",
        m.requests_total,
        human_bytes(m.bytes_sent),
        m.errors_4xx,
        m.errors_5xx,
        window_text(&q)
    );
    let value = typed(&answers::RequestMetrics {
        metrics: &m,
        coverage: Coverage::from(&cov),
    });
    Ok(ToolOutput {
        summary,
        value,
        subject: q.source,
    })
}
