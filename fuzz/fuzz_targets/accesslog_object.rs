//! The plain/gzip line reader and parser on arbitrary object bytes, with a small cap: never
//! a panic, never more output than the cap allows, counts that add up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacewatch_fuzz::accesslog::{Compression, End, GZIP_BUFFER, parse_object};

const CAP: u64 = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let compression = Compression::detect("object", data);
    let (mut ok, mut bad) = (0u64, 0u64);
    let report = parse_object(data, compression, CAP, |raw, parsed| {
        assert!(!raw.is_empty());
        match parsed {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    });
    let s = report.stats;
    assert!(ok + bad <= s.lines);
    assert!(s.malformed >= bad && s.malformed <= s.lines);
    assert!(s.bytes_decoded <= CAP + GZIP_BUFFER as u64);
    assert!(s.bytes_read <= data.len() as u64);
    if compression == Compression::Plain {
        let complete = data.len() as u64 <= CAP;
        assert_eq!(report.end == End::Complete, complete);
    }
});
