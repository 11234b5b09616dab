//! Issue 18, item 5: one `/chat` cannot fan out without bound. A scripted model that asks
//! for 1,000 tool calls in every reply makes at most the budgeted S3 requests (counted on
//! the store), and the requests to the model stay bounded; tool-result bytes, the
//! client's rate limit and the deadline bound a chat too; tool names and results are
//! echoed to the model only in bounded, framed pieces.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use spacewatch::telemetry::s3::S3Api;

use super::model::{Got, Reply, answer, completion, tool_calls};
use super::{chat, demo_tenant, start};
use crate::support::{metric_sum, parse_metrics};

/// A reply asking for `n` calls of `name` with `args`.
fn many(n: usize, name: &str, args: &str) -> Reply {
    let calls: Vec<(String, &str, &str)> = (0..n).map(|i| (format!("c{i}"), name, args)).collect();
    let refs: Vec<(&str, &str, &str)> =
        calls.iter().map(|(i, n, a)| (i.as_str(), *n, *a)).collect();
    tool_calls(&refs)
}

fn total(h: &crate::support::Harness) -> u64 {
    h.store.served().snapshot().values().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_with_1000_tool_calls_runs_only_the_budgeted_ones() {
    let (h, model) = start(
        |_, _| many(1000, "list_objects", r#"{"bucket":"demo-assets"}"#),
        |s| s.knobs.rate_limit_rps = 0.0, // only the chat's own budgets bound it here
    )
    .await;
    let (lists, all) = (h.store.served().of(S3Api::ListObjectsV2), total(&h));
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "list everything"})).await;
    assert_eq!(status, 200, "{v}");
    // 8 calls of each of four replies (AGENT_MAX_TOOL_CALLS), 32 in all
    // (AGENT_MAX_CHAT_TOOL_CALLS); the fifth reply ends the chat.
    assert_eq!(v["limit_reached"], true, "{v}");
    assert_eq!(v["limit"], "tool_calls");
    assert_eq!(v["model_calls"], 5);
    assert_eq!(v["steps"].as_array().unwrap().len(), 32);
    let answer = v["answer"].as_str().unwrap();
    assert!(answer.contains("AGENT_MAX_CHAT_TOOL_CALLS"), "{answer}");
    // On the store: one ListObjectsV2 per call run, and at most one bucket listing for
    // the access check.
    let served_lists = h.store.served().of(S3Api::ListObjectsV2) - lists;
    assert_eq!(served_lists, 32);
    let served = total(&h) - all;
    assert!((32..=33).contains(&served), "{served} S3 requests");
    // The requests to the model: 8 echoed calls and 8 results per step, nothing more.
    let got = model.requests();
    assert_eq!(got.len(), 5);
    let mut sizes = Vec::new();
    for (n, g) in got.iter().enumerate() {
        sizes.push(g.raw.len());
        assert_eq!(g.tool_messages().len(), 8 * n, "request {n}");
        for m in g.messages().iter().filter(|m| m["role"] == "assistant") {
            assert_eq!(m["tool_calls"].as_array().unwrap().len(), 8);
        }
    }
    let largest = *sizes.iter().max().unwrap();
    assert!(largest < 256 * 1024, "request sizes {sizes:?}");
    let last = got[4].tool_messages().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        last.contains("ran 8 of the 1000 tool calls") && last.contains("0 left in this chat"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_result_bytes_are_budgeted_per_chat() {
    let (h, model) = start(
        |g, _| match g.tool_messages().len() {
            0 | 3 => many(3, "list_objects", r#"{"bucket":"demo-assets","limit":200}"#),
            _ => answer("done"),
        },
        |s| {
            s.knobs.rate_limit_rps = 0.0;
            s.knobs.agent_max_tool_bytes = 1024;
            s.knobs.agent_max_chat_tool_bytes = 2600;
        },
    )
    .await;
    let lists = h.store.served().of(S3Api::ListObjectsV2);
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "list"})).await;
    assert_eq!(status, 200, "{v}");
    // Reply 1: three calls, 1024 + 1024 bytes, then 552 left: the third still fits.
    // Reply 2: nothing left (< 512 bytes) — the chat ends, its calls not run.
    assert_eq!(v["limit"], "tool_bytes", "{v}");
    assert_eq!(v["model_calls"], 2);
    assert_eq!(h.store.served().of(S3Api::ListObjectsV2) - lists, 3);
    let got = model.requests();
    let shown: usize = got[1]
        .tool_messages()
        .iter()
        .map(|m| m["content"].as_str().unwrap().len())
        .sum();
    assert!(shown <= 2600, "{shown} bytes of tool results");
    assert!(
        v["answer"]
            .as_str()
            .unwrap()
            .contains("AGENT_MAX_CHAT_TOOL_BYTES")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_call_takes_a_token_of_the_clients_rate_limit() {
    let (h, model) = start(
        |g: &Got, _| match g.tool_messages().is_empty() {
            true => many(8, "list_objects", r#"{"bucket":"demo-assets"}"#),
            false => answer("done"),
        },
        |s| {
            s.knobs.rate_limit_rps = 0.001;
            s.knobs.rate_limit_burst = 5;
        },
    )
    .await;
    let lists = h.store.served().of(S3Api::ListObjectsV2);
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "list"})).await;
    assert_eq!(status, 200, "{v}");
    // The chat took one token, four calls the other four; four calls were refused.
    assert_eq!(h.store.served().of(S3Api::ListObjectsV2) - lists, 4);
    let steps = v["steps"].as_array().unwrap();
    let refused: Vec<&Value> = steps.iter().filter(|s| s["ok"] == false).collect();
    assert_eq!(refused.len(), 4, "{v}");
    for s in &refused {
        assert!(s["summary"].as_str().unwrap().contains("rate limit"), "{s}");
    }
    let got = model.requests();
    let refusals = got[1]
        .tool_messages()
        .iter()
        .filter(|m| m["content"].as_str().unwrap().contains("RATE_LIMIT_RPS"))
        .count();
    assert_eq!(refusals, 4, "the model is told");
    // The tokens are spent: the next chat is refused at the door.
    let (status, _) = chat(&h, demo_tenant(), json!({"message": "again"})).await;
    assert_eq!(status, 429);
    let text = h
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let limited = metric_sum(
        &parse_metrics(&text),
        "spacewatch_rate_limited_requests_total",
        &[],
    );
    assert_eq!(limited, 5.0, "four tool calls and one chat");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_ends_at_its_deadline_with_what_it_found() {
    let (h, model) = start(
        |g, _| match g.tool_messages().is_empty() {
            true => tool_calls(&[("c1", "list_buckets", "{}")]),
            false => Reply::After(Duration::from_secs(20), Box::new(answer("too late"))),
        },
        |s| s.knobs.agent_chat_deadline_sec = 1.0,
    )
    .await;
    let t = Instant::now();
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "buckets?"})).await;
    let took = t.elapsed();
    assert_eq!(status, 200, "{v}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(v["limit"], "deadline");
    let answer = v["answer"].as_str().unwrap();
    assert!(
        answer.contains("AGENT_CHAT_DEADLINE_SEC") && answer.contains("list_buckets: 3 bucket(s)"),
        "{answer}"
    );
    assert_eq!(model.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_names_and_results_reach_the_model_bounded_and_framed() {
    let long = "n".repeat(100_000);
    let name = long.clone();
    let (h, model) = start(
        move |g, _| match g.tool_messages().is_empty() {
            true => Reply::Ok(completion(
                json!({"role": "assistant", "content": "x".repeat(50_000), "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": name, "arguments": "{}"}},
                    {"id": "c2", "type": "function", "function": {"name": "list_buckets",
                        "arguments": format!("{{\"pad\":\"{}\"}}", "p".repeat(10_000))}},
                    {"id": "c3", "type": "function", "function": {"name": "list_buckets", "arguments": "{}"}},
                ]}),
                "tool_calls",
            )),
            false => answer("done"),
        },
        |_| {},
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "hi"})).await;
    assert_eq!(status, 200, "{v}");
    let got = model.requests();
    assert!(
        got[0].system().contains("never instructions"),
        "{}",
        got[0].system()
    );
    let second = &got[1];
    assert!(second.raw.len() < 32 * 1024, "{} bytes", second.raw.len());
    assert!(!second.raw.contains(&"n".repeat(65)), "the name is cut");
    let tools = second.tool_messages();
    let content = |i: usize| tools[i]["content"].as_str().unwrap().to_string();
    assert!(content(0).starts_with("<tool_result tool=\"unknown\" status=\"error\">"));
    assert!(content(0).contains("unknown tool"), "{}", content(0));
    assert!(
        content(1).contains("longer than 4096 bytes"),
        "{}",
        content(1)
    );
    assert!(content(2).starts_with("<tool_result tool=\"list_buckets\" status=\"ok\">"));
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps[0]["tool"].as_str().unwrap().len(), 64);
    assert_eq!(
        (steps[1]["ok"].as_bool(), steps[2]["ok"].as_bool()),
        (Some(false), Some(true))
    );
}
