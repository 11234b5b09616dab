use super::*;
use base64::Engine;
use http_body_util::BodyExt;

fn framed(data: &[u8], chunk: usize, trailer: Option<(&str, String)>) -> Vec<u8> {
    let mut out = Vec::new();
    for c in data.chunks(chunk) {
        out.extend(format!("{:x};chunk-signature=abcd\r\n", c.len()).as_bytes());
        out.extend(c);
        out.extend(b"\r\n");
    }
    out.extend(b"0;chunk-signature=ef01\r\n");
    if let Some((name, value)) = trailer {
        out.extend(format!("{name}:{value}\r\nx-amz-trailer-signature:1234\r\n").as_bytes());
    }
    out.extend(b"\r\n");
    out
}

fn crc32_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(data).to_be_bytes())
}

async fn decode(raw: Vec<u8>, trailer: Option<&str>, len: u64) -> Result<Vec<u8>, String> {
    // Feed it in awkward pieces to cross every boundary.
    let pieces: Vec<Result<Bytes, std::io::Error>> = raw
        .chunks(7)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let body = Body::from_stream(futures_util::stream::iter(pieces));
    let out = Dechunk::new(body, trailer, len, None)
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok(out.to_bytes().to_vec())
}

#[tokio::test]
async fn decodes_and_checks_the_crc32_trailer() {
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let good = framed(
        &data,
        8192,
        Some(("x-amz-checksum-crc32", crc32_b64(&data))),
    );
    assert_eq!(
        decode(good, Some("x-amz-checksum-crc32"), 100_000)
            .await
            .unwrap(),
        data
    );
    let bad = framed(
        &data,
        8192,
        Some(("x-amz-checksum-crc32", crc32_b64(b"other"))),
    );
    let err = decode(bad, Some("x-amz-checksum-crc32"), 100_000)
        .await
        .unwrap_err();
    assert!(err.contains("checksum mismatch"), "{err}");
}

#[tokio::test]
async fn the_last_bytes_wait_for_the_trailer() {
    // A body whose decoded length is reached before its (wrong) trailer: nothing of
    // the final chunk may come out before the trailer is checked.
    let data = b"hello world".to_vec();
    let raw = framed(&data, 4, Some(("x-amz-checksum-crc32", crc32_b64(b"x"))));
    let pieces: Vec<Result<Bytes, std::io::Error>> = raw
        .chunks(7)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let body = Body::from_stream(futures_util::stream::iter(pieces));
    let mut d = Dechunk::new(body, Some("x-amz-checksum-crc32"), 11, None);
    let mut out = Vec::new();
    let err = loop {
        match d.frame().await {
            Some(Ok(f)) => out.extend_from_slice(&f.into_data().unwrap()),
            Some(Err(e)) => break e.to_string(),
            None => panic!("a corrupted body must not end cleanly"),
        }
    };
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(
        out.len() < 11,
        "the final bytes were held back: {}",
        out.len()
    );
}

#[tokio::test]
async fn the_decoded_length_must_match() {
    let data = b"hello world".to_vec();
    let raw = framed(&data, 4, Some(("x-amz-checksum-crc32", crc32_b64(&data))));
    let t = Some("x-amz-checksum-crc32");
    let short = decode(raw.clone(), t, 12).await.unwrap_err();
    assert!(short.contains("shorter"), "{short}");
    let long = decode(raw.clone(), t, 10).await.unwrap_err();
    assert!(long.contains("longer"), "{long}");
    assert_eq!(decode(raw, t, 11).await.unwrap(), data);
}

#[tokio::test]
async fn a_long_line_is_refused_however_it_arrives() {
    // A chunk line of 4,098 bytes: over the 4,096 allowed.
    let mut raw = format!("5;{}\r\nhello\r\n0\r\n\r\n", "e".repeat(4096)).into_bytes();
    let whole = Body::from(raw.clone());
    let err = Dechunk::new(whole, None, 5, None)
        .collect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("too long"), "{err}");
    assert!(
        decode(raw.clone(), None, 5)
            .await
            .unwrap_err()
            .contains("too long")
    );
    // Just within the limit, it is a line like any other.
    raw.drain(2..2 + 10);
    assert_eq!(decode(raw, None, 5).await.unwrap(), b"hello");
}

#[tokio::test]
async fn unsigned_chunks_and_truncation() {
    let data = b"hello world".to_vec();
    let mut raw = format!("{:x}\r\n", data.len()).into_bytes();
    raw.extend(&data);
    raw.extend(b"\r\n0\r\n\r\n");
    assert_eq!(decode(raw.clone(), None, 11).await.unwrap(), data);
    raw.truncate(raw.len() - 6);
    assert!(
        decode(raw, None, 11)
            .await
            .unwrap_err()
            .contains("ended early")
    );
    assert!(
        decode(b"zz\r\n".to_vec(), None, 0)
            .await
            .unwrap_err()
            .contains("chunk header")
    );
}

/// Frames `data` with a CRC32 trailer the way a client does, reframes it for the store,
/// and checks the announced length and that it decodes to the same data and trailer.
#[tokio::test]
async fn reframed_bodies_have_the_announced_length_and_keep_the_trailer() {
    use super::{Reframe, encoded_len};
    for n in [0usize, 1, 65_535, 65_536, 65_537, 200_000] {
        let data: Vec<u8> = (0..n).map(|i| (i % 253) as u8).collect();
        let crc = crc32_b64(&data);
        let raw = framed(&data, 7_000, Some(("x-amz-checksum-crc32", crc.clone())));
        let trailer = "x-amz-checksum-crc32";
        let dechunk = Dechunk::new(Body::from(raw), Some(trailer), n as u64, None);
        let out = Reframe::new(dechunk, trailer)
            .collect()
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(
            Some(out.len() as u64),
            encoded_len(n as u64, trailer),
            "{n}"
        );
        let again = Dechunk::new(Body::from(out.clone()), Some(trailer), n as u64, None)
            .collect()
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(again.to_vec(), data, "{n}");
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.ends_with(&format!("0\r\n{trailer}:{crc}\r\n\r\n")),
            "{n}"
        );
        assert!(!text.contains("signature"), "{n}: no signature goes on");
    }
    assert_eq!(encoded_len(10, "x-amz-meta-other"), None);
}
