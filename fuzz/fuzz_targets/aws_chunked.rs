//! The aws-chunked decoder on arbitrary bytes, fed in arbitrary pieces: it must never
//! panic, and a body it accepts must have exactly the declared decoded length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spacewatch_fuzz::storage::gateway::chunked::{ChunkDecoder, Step};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    // First bytes: the declared length, the piece size, whether a CRC32 trailer is named.
    let declared = u64::from(data[0]) * 4;
    let piece = usize::from(data[1]).max(1);
    let trailer = (data[2] & 1 == 1).then_some("x-amz-checksum-crc32");
    let body = &data[3..];
    let mut dec = ChunkDecoder::new(trailer, declared);
    let mut out = 0u64;
    let mut pieces = body.chunks(piece);
    loop {
        match dec.step() {
            Err(_) => return,
            Ok(Step::Data(d)) => out += d.len() as u64,
            Ok(Step::End) => {
                assert_eq!(out, declared, "accepted with the wrong length");
                return;
            }
            Ok(Step::NeedMore) => match pieces.next() {
                Some(p) => dec.push(p),
                None => return,
            },
        }
        assert!(out <= declared, "more data than declared went out");
    }
});
