//! History for `scripts/bench-fleet.sh`: 24 h of 1 s scrapes of several replicas, in
//! VictoriaMetrics' JSON-lines import format (`POST /api/v1/import`), on stdout.
//!
//! ```text
//! fleet_backfill --template scrape.txt --instance 127.0.0.1:8001 [--instance …]
//!                --end UNIX_SECONDS [--hours 24] [--step 1] [--job spacewatch]
//! ```
//!
//! Every series of the template (a replica's `/metrics` text) is written for every
//! instance, one sample per step over the `hours` before `end`, with the labels a scrape
//! adds (`job`, `instance`) — what the engine would hold had it scraped these replicas
//! for a day. Values are synthetic but shaped like the real ones: counters (and the
//! buckets, sums and counts of the cumulative histograms) grow from 0 to the template's
//! value, so they stay monotonic and a histogram's buckets stay ordered; gauges (the
//! window gauges among them) wander ±10 % around the template's value, the same factor
//! for every series of one scrape. The noise keeps the engine from compressing a day
//! into nothing.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: fleet_backfill --template FILE --instance HOST:PORT [--instance …] --end UNIX_SECONDS [--hours 24] [--step 1] [--job spacewatch]";

struct Args {
    template: String,
    instances: Vec<String>,
    end: u64,
    hours: u64,
    step: u64,
    job: String,
}

fn parse_args() -> Result<Args, String> {
    let (mut template, mut instances, mut end) = (None, Vec::new(), None);
    let (mut hours, mut step, mut job) = (24, 1, "spacewatch".to_string());
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{v:?} is not a number"))
        };
        match flag.as_str() {
            "--template" => template = Some(value()?),
            "--instance" => instances.push(value()?),
            "--end" => end = Some(number(value()?)?),
            "--hours" => hours = number(value()?)?,
            "--step" => step = number(value()?)?.max(1),
            "--job" => job = value()?,
            _ => return Err(USAGE.into()),
        }
    }
    if instances.is_empty() {
        return Err(USAGE.into());
    }
    Ok(Args {
        template: template.ok_or(USAGE)?,
        instances,
        end: end.ok_or(USAGE)?,
        hours,
        step,
        job,
    })
}

/// One series of the template.
struct Series {
    /// `"__name__":"…","k":"v",…` — already JSON.
    labels: String,
    value: f64,
    monotonic: bool,
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// `name{k="v",…} value` of the text format (escapes in label values kept as written,
/// then decoded: `\\`, `\"`, `\n`).
/// A sample line: name, labels, value.
type Line = (String, Vec<(String, String)>, f64);

fn parse_line(line: &str) -> Option<Line> {
    let (head, value) = line.rsplit_once(' ')?;
    let value = value.parse::<f64>().ok()?;
    let Some((name, rest)) = head.split_once('{') else {
        return Some((head.to_string(), Vec::new(), value));
    };
    let mut labels = Vec::new();
    let mut chars = rest.trim_end_matches('}').chars().peekable();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        chars.next(); // the opening quote
        let mut v = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => v.push('\n'),
                    Some(o) => v.push(o),
                    None => {}
                },
                '"' => break,
                c => v.push(c),
            }
        }
        labels.push((key.trim_start_matches(',').to_string(), v));
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    Some((name.to_string(), labels, value))
}

fn template(text: &str) -> Vec<Series> {
    let mut kinds = std::collections::HashMap::new();
    for l in text.lines() {
        if let Some((name, kind)) = l.strip_prefix("# TYPE ").and_then(|r| r.split_once(' ')) {
            kinds.insert(name.to_string(), kind.to_string());
        }
    }
    let family = |name: &str| -> Option<String> {
        if kinds.contains_key(name) {
            return Some(name.to_string());
        }
        ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|f| kinds.contains_key(*f))
            .map(str::to_string)
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(parse_line)
        .map(|(name, labels, value)| {
            let fam = family(&name).unwrap_or_default();
            let kind = kinds.get(&fam).map(String::as_str).unwrap_or("untyped");
            // The window histogram is a gauge histogram: it wanders like a gauge.
            let monotonic = kind == "counter"
                || (kind == "histogram" && !fam.starts_with("spacewatch_window_"));
            let mut parts = vec![format!("\"__name__\":{}", json_str(&name))];
            parts.extend(
                labels
                    .iter()
                    .map(|(k, v)| format!("{}:{}", json_str(k), json_str(v))),
            );
            Series {
                labels: parts.join(","),
                value,
                monotonic,
            }
        })
        .collect()
}

/// ±10 %, the same for every series of one scrape (instance, time).
fn wobble(instance: usize, t: u64) -> f64 {
    let h = (t.wrapping_mul(2_654_435_761) ^ (instance as u64).wrapping_mul(40_503)) % 1000;
    0.9 + 0.2 * h as f64 / 1000.0
}

fn write(args: &Args, series: &[Series], out: &mut impl Write) -> std::io::Result<u64> {
    let span = args.hours * 3600;
    let start = args.end.saturating_sub(span);
    let mut samples = 0;
    let mut values = String::new();
    let mut stamps = String::new();
    for (i, instance) in args.instances.iter().enumerate() {
        for s in series {
            let head = format!(
                "{{\"metric\":{{{},\"job\":{},\"instance\":{}}},",
                s.labels,
                json_str(&args.job),
                json_str(instance)
            );
            // One line per hour: lines stay a few hundred kB.
            for chunk in (start..args.end).step_by(3600) {
                values.clear();
                stamps.clear();
                for t in (chunk..(chunk + 3600).min(args.end)).step_by(args.step as usize) {
                    let v = if s.monotonic {
                        (s.value * (t - start + 1) as f64 / span as f64).floor()
                    } else {
                        (s.value * wobble(i, t)).round()
                    };
                    let v = if v.is_finite() { v } else { 0.0 };
                    if !values.is_empty() {
                        values.push(',');
                        stamps.push(',');
                    }
                    values.push_str(&v.to_string());
                    stamps.push_str(&(t * 1000).to_string());
                    samples += 1;
                }
                writeln!(
                    out,
                    "{head}\"values\":[{values}],\"timestamps\":[{stamps}]}}"
                )?;
            }
        }
    }
    Ok(samples)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let text = match std::fs::read_to_string(&args.template) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", args.template);
            return ExitCode::FAILURE;
        }
    };
    let series = template(&text);
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    match write(&args, &series, &mut out).and_then(|n| out.flush().map(|()| n)) {
        Ok(n) => {
            eprintln!(
                "{} series x {} instances, {n} samples",
                series.len(),
                args.instances.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("writing: {e}");
            ExitCode::FAILURE
        }
    }
}
