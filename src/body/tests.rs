use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream;
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};

use super::{End, Hooks, Observed};

type Events = Arc<Mutex<Vec<String>>>;

/// Writes down every event; fails on a frame that says "bad", and at the end when asked.
struct Log {
    events: Events,
    refuse_eos: bool,
}

impl Hooks for Log {
    type Error = String;

    fn on_frame(&mut self, frame: &Frame<Bytes>) -> Result<(), String> {
        let data = frame
            .data_ref()
            .map(|d| String::from_utf8_lossy(d).into_owned());
        self.events.lock().unwrap().push(format!("frame {data:?}"));
        match data.as_deref() {
            Some("bad") => Err("bad frame".into()),
            _ => Ok(()),
        }
    }

    fn on_eos(&mut self) -> Result<(), String> {
        self.events.lock().unwrap().push("eos".into());
        match self.refuse_eos {
            true => Err("refused at eos".into()),
            false => Ok(()),
        }
    }

    fn on_end(&mut self, end: End<'_, String>) {
        self.events.lock().unwrap().push(format!("end {end:?}"));
    }
}

fn body(
    chunks: &[&'static str],
) -> StreamBody<impl futures_util::Stream<Item = Result<Frame<Bytes>, String>> + Unpin> {
    let frames: Vec<Result<Frame<Bytes>, String>> = chunks
        .iter()
        .map(|c| match *c {
            "ERR" => Err("inner failed".to_string()),
            c => Ok(Frame::data(Bytes::from_static(c.as_bytes()))),
        })
        .collect();
    StreamBody::new(stream::iter(frames))
}

fn observed(
    chunks: &[&'static str],
    refuse_eos: bool,
) -> (
    Observed<impl http_body::Body<Data = Bytes, Error = String> + Unpin, Log>,
    Events,
) {
    let events = Events::default();
    let hooks = Log {
        events: events.clone(),
        refuse_eos,
    };
    (Observed::new(body(chunks), hooks), events)
}

fn taken(events: &Events) -> Vec<String> {
    events.lock().unwrap().clone()
}

#[tokio::test]
async fn a_whole_body_ends_once_complete_and_is_passed_on_unchanged() {
    let (b, events) = observed(&["a", "b"], false);
    let got = b.collect().await.unwrap().to_bytes();
    assert_eq!(&got[..], b"ab");
    let e = taken(&events);
    assert_eq!(
        e,
        [
            "frame Some(\"a\")",
            "frame Some(\"b\")",
            "eos",
            "end Complete"
        ]
    );
}

#[tokio::test]
async fn an_inner_error_ends_it_failed_and_goes_on() {
    let (b, events) = observed(&["a", "ERR", "b"], false);
    assert_eq!(b.collect().await.unwrap_err(), "inner failed");
    assert_eq!(
        taken(&events),
        ["frame Some(\"a\")", "end Failed(\"inner failed\")"]
    );
}

#[tokio::test]
async fn a_hook_error_takes_the_place_of_the_frame_or_the_end() {
    let (b, events) = observed(&["a", "bad"], false);
    assert_eq!(b.collect().await.unwrap_err(), "bad frame");
    assert!(taken(&events).ends_with(&[
        "frame Some(\"bad\")".into(),
        "end Failed(\"bad frame\")".into()
    ]));

    let (b, events) = observed(&["a"], true);
    assert_eq!(b.collect().await.unwrap_err(), "refused at eos");
    assert_eq!(
        taken(&events).last().unwrap(),
        "end Failed(\"refused at eos\")"
    );
}

#[tokio::test]
async fn dropped_unended_it_ends_dropped_once() {
    let (mut b, events) = observed(&["a", "b"], false);
    let first = b.frame().await.unwrap().unwrap();
    assert_eq!(first.data_ref().unwrap(), "a");
    drop(b);
    assert_eq!(
        taken(&events),
        ["frame Some(\"a\")", "end Dropped { at_end: false }"]
    );
}

/// Fails the body at its first wait.
struct Impatient;

impl Hooks for Impatient {
    type Error = String;

    fn on_pending(&mut self, _cx: &mut Context<'_>) -> Poll<String> {
        Poll::Ready("waited".into())
    }
}

#[tokio::test]
async fn a_pending_hook_can_fail_a_body_that_waits() {
    let pending = StreamBody::new(stream::pending::<Result<Frame<Bytes>, String>>());
    let b = Observed::new(pending, Impatient);
    assert_eq!(b.collect().await.unwrap_err(), "waited");
}
