#!/usr/bin/env bash
# Benchmark of SpaceWatch's access-log parser (issue 8), in one run:
#   1. generates a 100 MiB S3 access log of realistic 27-field lines (seeded, so every run
#      parses the same bytes) and its `gzip -1`;
#   2. checks that goaccess (its predefined AWSS3 format, the anchor) and SpaceWatch both
#      read every line of it — a figure over lines that failed to parse would mean nothing;
#   3. times whole processes, alternating A B A B… ROUNDS times (median wall and CPU):
#        spacewatch-plain  examples/parse-access-log on the plain file (every field parsed)
#        spacewatch-gz     the same on the .gz file (streaming decompression)
#        gzip-dc           gzip -dc of the .gz file to /dev/null (decompression alone)
#        goaccess          goaccess --log-format=AWSS3 on the plain file, JSON report
#      and prints SpaceWatch ÷ goaccess and spacewatch-gz ÷ gzip-dc;
#   4. runs the criterion bench (benches/accesslog.rs: one core, in process, plain parse,
#      gzip decompression alone, gzip decompress+parse), once by wall time (`accesslog/`)
#      and once by the bench thread's CPU time (`accesslog_cpu/`, the one-core figure that
#      neighbours on a shared machine do not move), unless CRITERION=0.
# Results are printed and appended, with a timestamp, to scripts/bench-accesslog.out.
#
# Usage: scripts/bench-accesslog.sh        Knobs: ROUNDS (5) LOG_BYTES (104857600) CRITERION
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/scripts/bench-accesslog.out"
ROUNDS="${ROUNDS:-5}"
LOG_BYTES="${LOG_BYTES:-104857600}"
CRITERION="${CRITERION:-1}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] FAIL: %s\n' "$*" >&2; exit 1; }

need=()
command -v goaccess >/dev/null 2>&1 || need+=(goaccess)
[ -x /usr/bin/time ] || need+=(time)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v gzip >/dev/null 2>&1 || need+=(gzip)
if ((${#need[@]})); then
    log "installing ${need[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Examples build with the dev-dependencies, which changes shared dependencies' features:
# a target dir of their own keeps target/release (the service binary) untouched.
log "building examples gen-access-log and parse-access-log (release, target/bench-example)"
(cd "$ROOT" && CARGO_TARGET_DIR="$ROOT/target/bench-example" cargo build --release --quiet \
    --example gen-access-log --example parse-access-log)
BIN="$ROOT/target/bench-example/release/examples"

TMP="$(mktemp -d -t spacewatch-accesslog.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
LOG="$TMP/access.log"
log "generating $LOG_BYTES bytes of access log (seed 1) and its gzip -1"
"$BIN/gen-access-log" "$LOG_BYTES" 1 >"$LOG"
gzip -1 -k "$LOG"
LINES="$(wc -l <"$LOG")"
BYTES="$(stat -c %s "$LOG")"
GZ_BYTES="$(stat -c %s "$LOG.gz")"

# --- Both must read every line -------------------------------------------------------
goaccess "$LOG" --log-format=AWSS3 --no-global-config -o "$TMP/ga.json" 2>"$TMP/ga.err" ||
    { cat "$TMP/ga.err" >&2; die "goaccess failed"; }
GA_VALID="$(jq '.general.valid_requests' "$TMP/ga.json")"
GA_FAILED="$(jq '.general.failed_requests' "$TMP/ga.json")"
[ "$GA_VALID" = "$LINES" ] && [ "$GA_FAILED" = 0 ] ||
    die "goaccess read $GA_VALID valid, $GA_FAILED failed of $LINES lines: the generated lines do not match its AWSS3 format"
for f in "$LOG" "$LOG.gz"; do
    got="$("$BIN/parse-access-log" "$f")"
    case "$got" in
        "lines=$LINES malformed=0 "*) ;;
        *) die "parse-access-log $f: expected lines=$LINES malformed=0, got: $got" ;;
    esac
done
log "both read all $LINES lines ($BYTES bytes, gzip -1 $GZ_BYTES bytes)"

# --- Whole processes, alternating ------------------------------------------------------
NAMES=(spacewatch-plain spacewatch-gz gzip-dc goaccess)
run() {
    case "$1" in
        spacewatch-plain) "$BIN/parse-access-log" "$LOG" >/dev/null ;;
        spacewatch-gz) "$BIN/parse-access-log" "$LOG.gz" >/dev/null ;;
        gzip-dc) gzip -dc "$LOG.gz" >/dev/null ;;
        goaccess) goaccess "$LOG" --log-format=AWSS3 --no-global-config -o "$TMP/ga-run.json" 2>/dev/null ;;
    esac
}
export -f run
export BIN LOG TMP
log "timing ${NAMES[*]}: 1 warm-up + $ROUNDS rounds, alternating"
for n in "${NAMES[@]}"; do run "$n"; done # warm-up: page cache, binaries
for r in $(seq "$ROUNDS"); do
    for n in "${NAMES[@]}"; do
        /usr/bin/time -f "$n %e %U %S %M" -a -o "$TMP/times" bash -c "run $n"
    done
done

STAMP="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
REPORT="$TMP/report"
{
    echo "=== $STAMP  spacewatch $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty src')"
    echo "host: $(nproc) cores, load avg before: $(cut -d' ' -f1-3 /proc/loadavg); $(goaccess --version | head -n1)"
    echo "log: $BYTES bytes, $LINES lines ($((BYTES / LINES)) bytes/line), gzip -1: $GZ_BYTES bytes; whole processes, median of $ROUNDS"
    echo "(CPU s = user + system of the process: what neighbours on a shared machine do not inflate; the plain run's system time is mostly reading the file)"
    awk -v bytes="$BYTES" -v lines="$LINES" '
        function median(v, name,   n, i, j, t, a) {
            n = cnt[name]; for (i = 1; i <= n; i++) a[i] = v[name, i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        { c = ++cnt[$1]; wall[$1, c] = $2; cpu[$1, c] = $3 + $4; if ($5 > mem[$1]) mem[$1] = $5 }
        END {
            printf "%-17s %8s %8s %10s %10s %12s %11s\n", "command", "wall s", "CPU s", "MB/s wall", "MB/s CPU", "lines/s CPU", "max RSS MB"
            split("spacewatch-plain spacewatch-gz gzip-dc goaccess", names, " ")
            for (k = 1; k <= 4; k++) {
                n = names[k]; w[n] = median(wall, n); u[n] = median(cpu, n)
                printf "%-17s %8.3f %8.3f %10.1f %10.1f %12.0f %11.1f\n", n, w[n], u[n], bytes / w[n] / 1e6, bytes / u[n] / 1e6, lines / u[n], mem[n] / 1024
            }
            printf "spacewatch-plain / goaccess speed: %.1fx by wall, %.1fx by CPU time\n", w["goaccess"] / w["spacewatch-plain"], u["goaccess"] / u["spacewatch-plain"]
            printf "spacewatch-gz / gzip -dc speed:    %.2f by wall, %.2f by CPU (GNU gzip, not the same inflater: see criterion for the 0.8 target)\n", w["gzip-dc"] / w["spacewatch-gz"], u["gzip-dc"] / u["spacewatch-gz"]
        }' "$TMP/times"
} >"$REPORT"

# --- In process, one core: criterion ---------------------------------------------------
if [ "$CRITERION" = 1 ]; then
    log "criterion: cargo bench --bench accesslog (about 3 minutes)"
    (cd "$ROOT" && CARGO_TARGET_DIR="$ROOT/target/bench-example" cargo bench --quiet --bench accesslog 2>&1) |
        tee "$TMP/criterion" >&2
    {
        echo "criterion (in process, one core; throughput in text bytes):"
        grep -E 'access log:|^accesslog|thrpt:|time:' "$TMP/criterion" | grep -v '%' | sed 's/^/  /'
        awk '
            /^accesslog(_cpu)?\// { name = $1 }
            /thrpt:/ {
                k = 0
                for (i = 1; i <= NF; i++) {
                    v = $i; gsub(/[\[\]]/, "", v)
                    if (v ~ /^[0-9.]+$/ && ++k == 2) t[name] = v * ($(i + 1) ~ /^GB/ ? 1000 : 1)
                }
            }
            END {
                split("accesslog accesslog_cpu", groups, " ")
                for (j = 1; j <= 2; j++) {
                    g = groups[j]; p = t[g "/plain_parse"]; d = t[g "/gzip_decompress"]; z = t[g "/gzip_parse"]
                    if (p == "" || d == "" || z == "") continue
                    printf "  %s: plain_parse = %.0f MB/s (target >= 500: %s); gzip_parse / gzip_decompress = %.2f (target >= 0.8: %s)\n",
                        g, p, (p >= 500 ? "met" : "MISSED"), z / d, (z / d >= 0.8 ? "met" : "MISSED")
                }
            }' "$TMP/criterion"
    } >>"$REPORT"
fi

cat "$REPORT"
{ cat "$REPORT"; echo; } >>"$OUT"
log "appended to $OUT"
