//! Writes a generated S3 server access log (27-field lines, deterministic) to stdout.
//!
//! Usage: `cargo run --release --example gen-access-log -- [BYTES] [SEED] > access.log`
//! (default 100 MiB, seed 1). See `benches/support/gen_access_log.rs` for what the lines
//! look like; the access-log benchmark parses the same lines.

#[path = "../benches/support/gen_access_log.rs"]
mod gen_access_log;

use std::io::Write;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bytes: usize = args
        .next()
        .map_or(Ok(100 << 20), |a| a.parse())
        .expect("BYTES: a number");
    let seed: u64 = args
        .next()
        .map_or(Ok(1), |a| a.parse())
        .expect("SEED: a number");
    let mut generator = gen_access_log::Generator::new(seed);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut chunk = String::new();
    let mut written = 0;
    while written < bytes {
        chunk.clear();
        generator.fill(&mut chunk, (bytes - written).min(1 << 20));
        out.write_all(chunk.as_bytes())?;
        written += chunk.len();
    }
    out.flush()
}
