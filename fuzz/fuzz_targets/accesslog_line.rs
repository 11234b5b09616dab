//! `parse_line` on arbitrary input (lossily made UTF-8): it must never panic, and what it
//! returns must hold together.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacewatch_fuzz::accesslog::{KNOWN_FIELDS, MIN_FIELDS, parse_line};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(l) = parse_line(&text) else {
        return;
    };
    assert!((MIN_FIELDS..=KNOWN_FIELDS).contains(&l.fields));
    assert!(l.extra.is_none() || l.fields == KNOWN_FIELDS);
    let _ = (
        l.key_decoded(),
        l.request_method(),
        l.status_class(),
        l.operation_parts(),
    );
    for q in [l.request_uri, l.referer, l.user_agent]
        .into_iter()
        .flatten()
    {
        let unescaped = q.unescaped();
        assert!(unescaped.len() <= q.raw().len());
    }
});
