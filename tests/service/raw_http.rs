//! A byte-exact HTTP/1.1 client for hostile requests: the head goes out exactly as
//! written (non-UTF-8 values, bad percent-encoding, lying lengths), and the answer is read
//! to the end of the connection, so what the server sent is checked against what its
//! headers announced.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A response as it came off the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// Header names lower-cased, values as bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Everything after the head, as received (chunked framing decoded).
    pub body: Vec<u8>,
    /// The connection ended before the announced body was complete.
    pub truncated: bool,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The text of an error: a JSON body's `detail`, or the gateway's S3 `<Message>`.
    pub fn detail(&self) -> Option<String> {
        let ct = self.header("content-type").unwrap_or_default();
        if ct.starts_with("application/xml") && self.is_s3_xml() {
            // The gateway's own S3 error: the same text, in <Message>.
            let t = self.text();
            let start = t.find("<Message>")? + "<Message>".len();
            let end = t[start..].find("</Message>")? + start;
            return Some(t[start..end].to_string());
        }
        if !ct.starts_with("application/json") {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        v["detail"].as_str().map(str::to_string)
    }

    /// Whether the body is an S3 XML error document.
    pub fn is_s3_xml(&self) -> bool {
        let t = self.text();
        t.contains("<Error>") && t.contains("<Code>")
    }
}

/// Sends `head` (the request line and headers, without the blank line; `Connection:
/// close` and the blank line are added) and `body`, and reads the answer until the
/// server closes. `None` when nothing parseable came back within `limit`.
pub async fn send(addr: &str, head: &[u8], body: &[u8], limit: Duration) -> Option<RawResponse> {
    let mut sock = tokio::net::TcpStream::connect(addr).await.ok()?;
    let mut req = head.to_vec();
    req.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    req.extend_from_slice(body);
    // The server may answer (and close) before it read everything: not an error here.
    let _ = sock.write_all(&req).await;
    let mut got = Vec::new();
    let read = async {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = sock.read(&mut buf).await {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(limit, read).await.ok()?;
    parse(&got, head.starts_with(b"HEAD "))
}

/// `no_body`: the answer to a HEAD request, whose length headers describe a body that
/// is not sent.
fn parse(raw: &[u8], no_body: bool) -> Option<RawResponse> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().as_bytes().to_vec()))
        .collect();
    let rest = &raw[end + 4..];
    let mut r = RawResponse {
        status,
        headers,
        body: Vec::new(),
        truncated: false,
    };
    if no_body {
        r.body = rest.to_vec();
    } else if r.header("transfer-encoding") == Some("chunked") {
        (r.body, r.truncated) = dechunk(rest);
    } else if let Some(len) = r.header("content-length") {
        let len: usize = len.parse().ok()?;
        r.truncated = rest.len() < len;
        assert!(
            rest.len() <= len,
            "more body than Content-Length says: {} > {len}",
            rest.len()
        );
        r.body = rest.to_vec();
    } else {
        r.body = rest.to_vec();
    }
    Some(r)
}

fn dechunk(mut rest: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return (out, true);
        };
        let size = std::str::from_utf8(&rest[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok());
        let Some(size) = size else {
            return (out, true);
        };
        rest = &rest[eol + 2..];
        if size == 0 {
            return (out, false);
        }
        if rest.len() < size + 2 {
            out.extend_from_slice(&rest[..rest.len().min(size)]);
            return (out, true);
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}
