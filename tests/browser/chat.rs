//! The chat panel in Chromium, with the assistant configured against a scripted
//! chat-completions server: a question goes to `/chat` with the tenant's headers, the
//! model's tool call runs against the demo store, and the page shows the answer and the
//! tool step; the session id is kept for the next question.

use crate::driver::Browser;
use crate::model::{Model, answer, tool_calls, tool_result};
use crate::server::{Options, TestServer};

#[test]
#[ignore = "needs chromium"]
fn a_question_is_answered_through_a_real_tool_call() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let model = rt.block_on(Model::start(|g, n| match n % 2 {
        0 => tool_calls(&[("call-1", "storage_summary", r#"{"bucket":"demo-assets"}"#)]),
        _ => {
            let r = tool_result(g, "call-1");
            let count = r["object_count"].as_u64().unwrap_or(0);
            answer(&format!("demo-assets holds {count} objects."))
        }
    }));
    let s = TestServer::start(Options {
        agent_url: Some(model.url.clone()),
        ..Options::default()
    });
    let mut b = Browser::start();
    b.open(1280, 800);
    b.goto(&s.url("/"));
    b.wait("document.body.dataset.ready");
    b.wait("document.getElementById('chat').dataset.state === 'ready'");
    // Connect with the demo credentials (one click), then ask.
    b.click("#open-config");
    b.click("#use-demo");
    b.wait("!document.getElementById('config-dialog').open");
    b.fill("#chat-input", "How many objects are in demo-assets?");
    b.click("#chat-send");
    b.wait("document.querySelectorAll('#chat-log li.chat-spacewatch').length === 1");
    let answer_text = b.text("#chat-log li.chat-spacewatch .chat-text");
    assert_eq!(
        answer_text, "demo-assets holds 8 objects.",
        "the store's 8 objects, via the tool"
    );
    let steps = b.eval("document.querySelector('#chat-log .chat-steps').textContent");
    assert!(
        steps.as_str().unwrap().contains("storage_summary"),
        "{steps}"
    );
    let session = b.eval("sessionStorage.getItem('spacewatch.chat-session')");
    assert!(
        session.as_str().is_some_and(|s| !s.is_empty()),
        "the session is kept"
    );
    // The second question carries the session id.
    b.fill("#chat-input", "And now?");
    b.click("#chat-send");
    b.wait("document.querySelectorAll('#chat-log li.chat-spacewatch').length === 2");
    let log = b.log();
    let chats: Vec<_> = log.to(&s.base, "/chat");
    assert_eq!(chats.len(), 2, "two questions, two POST /chat");
    let second = &chats[1];
    assert!(
        second["postData"]
            .as_str()
            .unwrap_or_default()
            .contains(session.as_str().unwrap()),
        "{second}"
    );
    // The model never saw a secret: the tenant's, nor the agent key in a body.
    for g in model.requests() {
        assert!(
            !g.raw.contains("spacewatch-demo-secret-key"),
            "a secret reached the model"
        );
    }
    b.screenshot("dashboard-chat-1280x800");
    log.assert_clean(&s.base, &[]);
}
