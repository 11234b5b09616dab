//! The S3 server behind `scripts/bench-gateway.sh`: the embedded demo store (s3s-fs) on
//! `127.0.0.1:PORT`, with anonymous reads so wrk and nginx can GET objects unsigned,
//! holding bucket `bench` with object `obj-4k` (4096 bytes).
//!
//! ```text
//! cargo run --release --example bench_store -- --port 9000 [--key K --secret S]
//! ```
//!
//! Prints `READY http://127.0.0.1:PORT` on stdout once the object can be read, then
//! serves until SIGINT or SIGTERM (the store's temp directory is deleted on exit).
//!
//! Why the bucket is a plain directory: the demo store gives each bucket created
//! through CreateBucket an owner (the signing key), and an owned bucket refuses unsigned
//! requests — even with `anonymous_reads`. s3s-fs's CreateBucket is nothing but a
//! `mkdir` under the store root, so making that directory ourselves gives the same
//! bucket without an owner: readable unsigned (direct and nginx) and by the signed
//! gateway tenant alike, and listed in that tenant's ListBuckets. The object itself is
//! uploaded with aws-sdk-s3 PutObject, so s3s-fs stores its ETag alongside it and a GET
//! does not re-hash the file.

use std::process::ExitCode;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use spacewatch::demo::{DemoStore, StoreOptions};

const BUCKET: &str = "bench";
const KEY: &str = "obj-4k";
const SIZE: usize = 4096;

struct Args {
    port: u16,
    key: String,
    secret: String,
}

const USAGE: &str = "usage: bench_store --port PORT [--key ACCESS_KEY] [--secret SECRET]";

/// Hand-rolled flag parsing (no new dependencies).
fn parse_args() -> Result<Args, String> {
    let mut port = None;
    let mut key = "BENCHKEY0000000000000".to_string();
    let mut secret = "bench-secret-key".to_string();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                port = Some(v.parse::<u16>().map_err(|_| format!("bad port {v:?}"))?);
            }
            "--key" => key = value()?,
            "--secret" => secret = value()?,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        port: port.ok_or(USAGE)?,
        key,
        secret,
    })
}

/// The object: 4096 bytes of a repeating printable pattern (easy to eyeball).
fn payload() -> Vec<u8> {
    (0..SIZE).map(|i| b'a' + (i % 26) as u8).collect()
}

async fn run(args: Args) -> Result<(), String> {
    let store = DemoStore::start_with(StoreOptions {
        users: vec![(args.key.clone(), args.secret.clone())],
        restricted: Vec::new(),
        anonymous_reads: true,
        bind: format!("127.0.0.1:{}", args.port),
    })
    .await
    .map_err(|e| format!("cannot start the store on port {}: {e}", args.port))?;

    // An unowned bucket (see the module comment).
    std::fs::create_dir(store.root().join(BUCKET))
        .map_err(|e| format!("cannot create bucket directory: {e}"))?;

    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(store.endpoint())
        .force_path_style(true)
        .credentials_provider(Credentials::new(
            &args.key,
            &args.secret,
            None,
            None,
            "bench-store",
        ))
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(config);
    s3.put_object()
        .bucket(BUCKET)
        .key(KEY)
        .content_type("application/octet-stream")
        .body(ByteStream::from(payload()))
        .send()
        .await
        .map_err(|e| format!("PutObject {BUCKET}/{KEY}: {e:?}"))?;

    // Read it back signed, so READY means the object is really there.
    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key(KEY)
        .send()
        .await
        .map_err(|e| format!("GetObject {BUCKET}/{KEY}: {e:?}"))?
        .body
        .collect()
        .await
        .map_err(|e| format!("reading {BUCKET}/{KEY}: {e}"))?
        .into_bytes();
    if got.len() != SIZE || got.as_ref() != payload().as_slice() {
        return Err(format!(
            "read back {} bytes, not the {SIZE} written",
            got.len()
        ));
    }

    // The script waits for this exact line.
    println!("READY {}", store.endpoint());
    eprintln!(
        "bench_store: bucket {BUCKET}, object {KEY} ({SIZE} bytes), root {}, key {}",
        store.root().display(),
        args.key
    );

    wait_for_signal().await;
    // What the store served, by (S3 API, status class): a check that every request
    // through the gateway became exactly one upstream GetObject and none failed.
    eprintln!(
        "bench_store: stopping; served {:?}",
        store.served().snapshot()
    );
    drop(store);
    Ok(())
}

/// Resolves on SIGINT or SIGTERM (the script stops us with SIGTERM).
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Tokio's default multi-thread runtime: one worker per core, as `spacewatch serve`
    // gets, so neither side of the comparison is handicapped.
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_store: {e}");
            ExitCode::FAILURE
        }
    }
}
