//! Known traffic through one replica, and what it must show: operations and errors per
//! operation type, counted by the test itself.

use std::collections::BTreeMap;

use reqwest::Method as M;

use crate::support::{SECRET, call};

/// Per operation type: (operations, errors), as sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth(pub BTreeMap<&'static str, (u64, u64)>);

impl Truth {
    fn add(&mut self, op: &'static str, status: u16) {
        let e = self.0.entry(op).or_default();
        e.0 += 1;
        e.1 += u64::from(status >= 400);
    }

    pub fn merge(&mut self, o: &Truth) {
        for (op, (n, e)) in &o.0 {
            let t = self.0.entry(op).or_default();
            t.0 += n;
            t.1 += e;
        }
    }

    pub fn total(&self) -> (u64, u64) {
        self.0
            .values()
            .fold((0, 0), |(n, e), (a, b)| (n + a, e + b))
    }
}

/// One request: method, path, secret, body, the status it must get, its operation type
/// (`None` for a request refused before admission, which is not an operation).
type Call<'a> = (
    M,
    String,
    &'a str,
    Option<Vec<u8>>,
    u16,
    Option<&'static str>,
);

/// `rounds` rounds of ten requests through `base`: tools and gateway calls that succeed,
/// and three that fail (a missing key, an unknown bucket, a wrong secret). The wrong
/// secret is refused before admission: counted as a refused request, never as an
/// operation. Object sizes grow with the round, so latencies spread.
pub async fn send(base: &str, rounds: usize, tag: &str) -> Truth {
    let mut t = Truth::default();
    for round in 0..rounds {
        let object = format!("/s3/demo-assets/fleet/{tag}-{round}.bin");
        let size = 1024 * (1 + round * round) * if round == 0 { 64 } else { 1 };
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let calls: [Call; 10] = [
            (
                M::GET,
                "/tools/buckets".into(),
                SECRET,
                None,
                200,
                Some("LIST_BUCKETS"),
            ),
            (
                M::GET,
                "/tools/list-all?bucket=demo-assets".into(),
                SECRET,
                None,
                200,
                Some("LIST_OBJECTS"),
            ),
            (
                M::GET,
                "/tools/storage-summary?bucket=demo-assets".into(),
                SECRET,
                None,
                200,
                Some("ANALYZE_STORAGE"),
            ),
            (
                M::PUT,
                object.clone(),
                SECRET,
                Some(body),
                200,
                Some("PUT_OBJECT"),
            ),
            (
                M::GET,
                object.clone(),
                SECRET,
                None,
                200,
                Some("GET_OBJECT"),
            ),
            (
                M::HEAD,
                object.clone(),
                SECRET,
                None,
                200,
                Some("HEAD_OBJECT"),
            ),
            (M::DELETE, object, SECRET, None, 204, Some("DELETE_OBJECT")),
            (
                M::GET,
                "/s3/demo-assets/fleet/no-such-key".into(),
                SECRET,
                None,
                404,
                Some("GET_OBJECT"),
            ),
            (
                M::GET,
                "/tools/list-all?bucket=no-such-bucket-fleet".into(),
                SECRET,
                None,
                404,
                Some("LIST_OBJECTS"),
            ),
            (
                M::GET,
                "/tools/buckets".into(),
                "wrong-secret",
                None,
                401,
                None,
            ),
        ];
        for (method, path, secret, body, status, op) in calls {
            call(base, method, &path, secret, body, status).await;
            if let Some(op) = op {
                t.add(op, status);
            }
        }
    }
    t
}
