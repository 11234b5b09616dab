//! Session memory: the bucket (and the last turns) carry over to the next question of the
//! same session — of the same tenant only.

use serde_json::json;

use super::model::{Got, Reply, answer, tool_calls, tool_result};
use super::{KEY2, SECRET2, assert_no_secrets, chat, demo_tenant, start, tenant_of};
use crate::support::s3_client;

/// Answers "how big is X" with a summary, and "largest?" with the remembered bucket's
/// largest objects — or asks which bucket, when the prompt remembers none.
fn script(g: &Got, _: usize) -> Reply {
    let question = g
        .messages()
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string();
    if g.last()["role"] == "tool" {
        let id = g.last()["tool_call_id"].as_str().unwrap().to_string();
        let r = tool_result(g, &id);
        return match id.as_str() {
            "c_top" => answer(&format!(
                "The largest is {} ({} bytes).",
                r["objects"][0]["key"].as_str().unwrap(),
                r["objects"][0]["size"]
            )),
            _ => answer(&format!("{} objects.", r["object_count"])),
        };
    }
    if question.contains("how big") {
        return tool_calls(&[("c_sum", "storage_summary", r#"{"bucket":"demo-assets"}"#)]);
    }
    match g.system().contains("talked about bucket 'demo-assets'") {
        true => tool_calls(&[(
            "c_top",
            "top_largest",
            r#"{"bucket":"demo-assets","limit":1}"#,
        )]),
        false => answer("Which bucket do you mean?"),
    }
}

/// The largest object of `bucket`, from the store (ground truth).
async fn largest(store: &spacewatch::demo::DemoStore, bucket: &str) -> (String, i64) {
    let listed = s3_client(store)
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .map(|o| (o.key().unwrap().to_string(), o.size().unwrap()))
        .max_by_key(|(k, s)| (*s, std::cmp::Reverse(k.clone())))
        .unwrap()
}

#[tokio::test]
async fn a_session_remembers_the_bucket_and_the_last_turn() {
    let (h, model) = start(script, |_| {}).await;
    let (status, first) = chat(
        &h,
        demo_tenant(),
        json!({"message": "how big is demo-assets?", "session_id": "s1"}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["session_id"], "s1");
    assert_eq!(first["bucket_used"], "demo-assets");

    let (status, second) = chat(
        &h,
        demo_tenant(),
        json!({"message": "and its largest object?", "session_id": "s1"}),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let (key, size) = largest(&h.store, "demo-assets").await;
    assert_eq!(
        second["answer"],
        format!("The largest is {key} ({size} bytes).")
    );
    assert_eq!(second["bucket_used"], "demo-assets");
    assert_eq!(second["tool_used"], "top_largest");
    // The earlier turn is in the conversation the model got.
    let asked = model
        .requests()
        .into_iter()
        .find(|g| g.raw.contains("and its largest"))
        .unwrap();
    let texts: Vec<&str> = asked
        .messages()
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert!(texts.contains(&"how big is demo-assets?"), "{texts:?}");
    assert!(
        texts.contains(&first["answer"].as_str().unwrap()),
        "{texts:?}"
    );

    // Without the session id, nothing is remembered.
    let (_, fresh) = chat(
        &h,
        demo_tenant(),
        json!({"message": "and its largest object?"}),
    )
    .await;
    assert_eq!(fresh["answer"], "Which bucket do you mean?");
    assert_eq!(fresh["bucket_used"], serde_json::Value::Null);
    assert_ne!(fresh["session_id"], "s1");
}

#[tokio::test]
async fn another_tenant_with_the_same_session_id_sees_nothing() {
    let (h, model) = start(script, |_| {}).await;
    let (status, first) = chat(
        &h,
        demo_tenant(),
        json!({"message": "how big is demo-assets?", "session_id": "shared"}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let before = model.requests().len();
    let (status, other) = chat(
        &h,
        tenant_of(KEY2, SECRET2),
        json!({"message": "and its largest object?", "session_id": "shared"}),
    )
    .await;
    assert_eq!(status, 200, "{other}");
    assert_eq!(other["answer"], "Which bucket do you mean?");
    assert_eq!(other["bucket_used"], serde_json::Value::Null);
    for g in &model.requests()[before..] {
        assert!(
            !g.raw.contains("how big is demo-assets"),
            "another tenant's turn leaked"
        );
        assert!(
            !g.system().contains("talked about bucket"),
            "another tenant's bucket leaked"
        );
    }
    // And the other tenant's own tools see only its (empty) account.
    let (_, mine) = chat(
        &h,
        tenant_of(KEY2, SECRET2),
        json!({"message": "how big is demo-assets?", "session_id": "shared"}),
    )
    .await;
    assert_eq!(mine["steps"][0]["ok"], false, "{mine}");
    assert_eq!(mine["bucket_used"], serde_json::Value::Null);
    assert_no_secrets(&h, &model, &[&first, &other, &mine]).await;
}
