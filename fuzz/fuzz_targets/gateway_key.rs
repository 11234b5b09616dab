//! Gateway keys: whatever the key, parsing never panics, and a key accepted is encoded
//! into a path that decodes back to it and holds no segment a server would normalise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacewatch_fuzz::percent::{S3_PATH, SIGV4, encode};
use spacewatch_fuzz::storage::names::{BucketName, ObjectKey};

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = BucketName::parse(&text);
    let q = encode(&text, SIGV4);
    assert!(!q.contains('/') && decode(&q) == text.as_bytes());
    let Ok(key) = ObjectKey::parse(&text) else {
        return;
    };
    let path = encode(key.as_str(), S3_PATH);
    assert_eq!(
        decode(&path),
        key.as_str().as_bytes(),
        "the path names the key"
    );
    for seg in path.split('/') {
        assert!(
            seg != "." && seg != "..",
            "a dot segment reached the path: {path}"
        );
    }
});
