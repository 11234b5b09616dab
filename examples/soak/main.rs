//! The soak client behind `scripts/soak.sh`: drives a fixed rate of mixed tool and
//! gateway traffic (a quarter failing on purpose) at a running `spacewatch serve --demo`,
//! counts what it sent, and checks at the end that `/metrics`, `/metrics/operations` and
//! `/logs/operations` saw exactly that, that no error was unexpected, and (given the
//! server's pid) that its RSS grew at most 10 % after the warm-up.
//!
//! ```text
//! cargo run --release --example soak -- --base http://127.0.0.1:8000 \
//!     [--duration 300] [--warmup 90] [--rate 50] [--pid PID] [--max-in-flight 64] \
//!     [--key K --secret S] [--admin-key KEY]
//! ```
//!
//! Prints one JSON summary on stdout; exits 1 when a check failed. The server needs
//! `RATE_LIMIT_RPS=0` (the tools are rate limited per client IP by default).

mod traffic;
mod verify;

use std::process::ExitCode;
use std::time::Duration;

use traffic::Config;

const USAGE: &str = "usage: soak --base URL [--duration SEC] [--warmup SEC] [--rate RPS] \
                     [--pid PID] [--max-in-flight N] [--key K] [--secret S] [--admin-key KEY]";

/// Hand-rolled flag parsing (no new dependencies).
fn parse_args() -> Result<Config, String> {
    let mut c = Config {
        base: String::new(),
        duration: Duration::from_secs(300),
        warmup: Duration::from_secs(90),
        rate: 50.0,
        key: "SPACEWATCHDEMOKEY000".into(),
        secret: "spacewatch-demo-secret-key".into(),
        admin_key: None,
        pid: None,
        max_in_flight: 64,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value\n{USAGE}"))?;
        let num = |v: &str| {
            v.parse::<f64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--base" => c.base = value.trim_end_matches('/').to_string(),
            "--duration" => c.duration = Duration::from_secs_f64(num(&value)?),
            "--warmup" => c.warmup = Duration::from_secs_f64(num(&value)?),
            "--rate" => c.rate = num(&value)?,
            "--pid" => c.pid = Some(num(&value)? as u32),
            "--max-in-flight" => c.max_in_flight = num(&value)? as usize,
            "--key" => c.key = value,
            "--secret" => c.secret = value,
            "--admin-key" => c.admin_key = Some(value),
            _ => return Err(format!("unknown argument {flag:?}\n{USAGE}")),
        }
    }
    if c.base.is_empty() || c.rate <= 0.0 || c.max_in_flight == 0 || c.warmup >= c.duration {
        return Err(USAGE.into());
    }
    Ok(c)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let summary = verify::soak(cfg).await;
    println!(
        "{}",
        serde_json::to_string_pretty(&summary).unwrap_or_default()
    );
    if summary["ok"] == true {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
