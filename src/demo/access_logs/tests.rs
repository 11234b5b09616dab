use std::collections::BTreeMap;

use super::*;
use crate::accesslog::parse::{Compression, parse_object};

#[test]
fn the_logs_name_the_stored_objects_with_their_sizes() {
    for (key, _) in OBJECTS {
        assert_eq!(crate::percent::encode(key, crate::percent::S3_PATH), key);
    }
    // Every successful GET of a stored object sends the object's stored size.
    let mut sent: BTreeMap<String, u64> = BTreeMap::new();
    for o in generate(1_700_000_000, 72) {
        let compression = Compression::detect(&o.key, &o.body);
        parse_object(&o.body, compression, u64::MAX, |_, parsed| {
            let Ok(l) = parsed else { return };
            if l.request_method() == Some("GET")
                && l.status == Some(200)
                && let Some(key) = l.key_decoded()
            {
                let previous = sent.insert(key.into_owned(), l.bytes_sent);
                assert!(previous.is_none_or(|p| p == l.bytes_sent));
            }
        });
    }
    for (key, size) in OBJECTS {
        assert_eq!(sent.get(key), Some(&size), "{key}");
    }
    assert_eq!(sent.get("website/release notes.txt"), Some(&3_300));
}
