//! The `/logs/operations` query parser: any query string is a result or a named error,
//! never a panic; what it accepts is in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacewatch_fuzz::server::query::logs::{LogQuery, MAX_LIMIT};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match LogQuery::parse(&text) {
        Ok(q) => {
            assert!((1..=MAX_LIMIT as usize).contains(&q.limit));
            assert!(
                q.filter
                    .min_duration_ms
                    .is_none_or(|m| m.is_finite() && m >= 0.0)
            );
        }
        Err(e) => assert!(!e.0.is_empty()),
    }
});
