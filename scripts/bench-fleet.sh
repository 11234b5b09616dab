#!/usr/bin/env bash
# Benchmark of the fleet view: latency of GET /fleet/operations against a local
# VictoriaMetrics holding 24 h of 1 s scrapes of 3 replicas, in one run with
#   fleet     GET /fleet/operations   (3 instant queries to the engine, all replicas)
#   replica   GET /metrics/operations (the same shape from one replica's own windows)
# The history is backfilled through VictoriaMetrics' /api/v1/import (examples/
# fleet_backfill: every series of each replica's real /metrics, one sample per second
# for the 24 h before the engine started); from then on the engine scrapes the three
# live replicas every second, so the newest samples are real. Target: fleet p99 <= 100 ms.
# Also reported: /fleet/timeseries over the whole 24 h (query_range of rate()s over the
# backfilled history), which has no target.
#
# Usage: scripts/bench-fleet.sh           (from anywhere; needs victoria-metrics, wrk, curl)
# Knobs (environment): HOURS (24) WRK_DURATION (30) WARMUP (5) CONCURRENCY ("1 4")
# Results are printed and appended, with a timestamp, to scripts/bench-fleet.out.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/scripts/bench-fleet.out"
HOURS="${HOURS:-24}"
WRK_DURATION="${WRK_DURATION:-30}"
WARMUP="${WARMUP:-5}"
CONCURRENCY="${CONCURRENCY:-1 4}"
REPLICAS=3
DEMO_KEY="SPACEWATCHDEMOKEY000"
DEMO_SECRET="spacewatch-demo-secret-key"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] FAIL: %s\n' "$*" >&2; exit 1; }

for tool in victoria-metrics wrk curl jq; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (apt-get install $tool)"
done

# --- Build -----------------------------------------------------------------------------
# The server as `cargo build --release` builds it. The generator's speed is not what is
# measured, so it is the debug build (no second release build of the library).
log "building spacewatch (release) and examples/fleet_backfill (debug)"
(cd "$ROOT" && cargo build --release --quiet --bin spacewatch)
(cd "$ROOT" && cargo build --quiet --example fleet_backfill)
SW_BIN="$ROOT/target/release/spacewatch"
GEN_BIN="$ROOT/target/debug/examples/fleet_backfill"

# --- Processes and cleanup -------------------------------------------------------------
TMP="$(mktemp -d -t spacewatch-bench-fleet.XXXXXX)"
PIDS=()
cleanup() {
    local rc=$?
    # Only the processes this script started, by their pid.
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$rc" -ne 0 ]; then
        for f in "$TMP"/*.err "$TMP"/vm.log; do
            [ -s "$f" ] && { log "--- tail of $(basename "$f")"; tail -n 20 "$f" >&2; }
        done
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TAKEN=" "
free_port() {
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 40000))
        case "$TAKEN" in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            TAKEN="$TAKEN$p "
            echo "$p"
            return 0
        fi
    done
    die "no free port found"
}

wait_port() {
    local port=$1 pid=$2 name=$3
    for _ in $(seq 400); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.05
    done
    die "$name did not listen on port $port within 20 s"
}

VM_PORT="$(free_port)"
VM="http://127.0.0.1:$VM_PORT"

# --- Three replicas, each with its demo store, answering the fleet view from the engine
declare -a PORT BASE
# Probed-free ports can still be taken (by an outgoing connection's ephemeral port)
# before the replica binds: a replica that cannot listen is started again elsewhere.
start_replica() { # index -> 0 when listening
    local i=$1 pid
    PORT[$i]="$(free_port)"
    BASE[$i]="http://127.0.0.1:${PORT[$i]}"
    mkdir -p "$TMP/r$i"
    (
        cd "$TMP/r$i"
        RATE_LIMIT_RPS=0 exec "$SW_BIN" serve --demo --host 127.0.0.1 --port "${PORT[$i]}" \
            --prometheus-url "$VM" --prometheus-timeout-sec 10
    ) >"$TMP/r$i.log" 2>"$TMP/r$i.err" &
    pid=$!
    for _ in $(seq 400); do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$i]}") 2>/dev/null; then
            PIDS+=("$pid")
            return 0
        fi
        sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    return 1
}
for i in $(seq 1 $REPLICAS); do
    for attempt in 1 2 3 4 5; do
        start_replica "$i" && break
        [ "$attempt" = 5 ] && die "replica $i did not start: $(cat "$TMP/r$i.err")"
        log "replica $i could not listen on ${PORT[$i]}; another port"
    done
done
log "replicas on ports ${PORT[*]}"

# Traffic, unevenly spread and partly failing, so the windows and buckets hold values.
SENT=0
hit() { # base path expected-status
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "X-Spaces-Key: $DEMO_KEY" \
        -H "X-Spaces-Secret: $DEMO_SECRET" "$1$2")"
    [ "$code" = "$3" ] || die "$1$2: $code, expected $3"
    SENT=$((SENT + 1))
}
send_traffic() {
    for i in $(seq 1 $REPLICAS); do
        for _ in $(seq $((40 / i))); do
            hit "${BASE[$i]}" /tools/buckets 200
            hit "${BASE[$i]}" "/tools/list-all?bucket=demo-assets" 200
            hit "${BASE[$i]}" /s3/demo-assets/no-such-key 404
        done
    done
}
send_traffic
log "sent $SENT operations"

# --- The engine, and the day before it started ----------------------------------------
cat >"$TMP/scrape.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: spacewatch
    static_configs:
      - targets: [$(for i in $(seq 1 $REPLICAS); do printf '"127.0.0.1:%s",' "${PORT[$i]}"; done | sed 's/,$//')]
EOF
for i in $(seq 1 $REPLICAS); do curl -sf "${BASE[$i]}/metrics" >"$TMP/template.$i.txt"; done
END="$(date +%s)"
log "starting victoria-metrics on $VM (-search.latencyOffset=1s, as docs/fleet.md advises)"
victoria-metrics -promscrape.config="$TMP/scrape.yml" -storageDataPath="$TMP/vm-data" \
    -httpListenAddr="127.0.0.1:$VM_PORT" -search.latencyOffset=1s -loggerLevel=ERROR \
    >"$TMP/vm.log" 2>&1 &
VM_PID=$!
PIDS+=("$VM_PID")
wait_port "$VM_PORT" "$VM_PID" victoria-metrics

log "backfilling ${HOURS} h of 1 s scrapes of $REPLICAS replicas (this takes minutes)"
T0="$(date +%s)"
for i in $(seq 1 $REPLICAS); do
    "$GEN_BIN" --template "$TMP/template.$i.txt" --instance "127.0.0.1:${PORT[$i]}" \
        --end "$END" --hours "$HOURS" 2>>"$TMP/gen.err" |
        curl -sSf -X POST -T - "$VM/api/v1/import" >/dev/null ||
        die "import of replica $i failed"
done
curl -sf "$VM/internal/force_flush" >/dev/null || true
IMPORT_S=$(($(date +%s) - T0))
SERIES_PER_REPLICA="$(grep -c '^[a-z]' "$TMP/template.1.txt")"
log "imported in ${IMPORT_S} s: $(tr '\n' ' ' <"$TMP/gen.err")"

# The engine holds the day: samples of one replica's build-info series over 25 h.
query() { curl -sf "$VM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // "none"'; }
for _ in $(seq 120); do
    HELD="$(query "sum(count_over_time(spacewatch_build_info{job=\"spacewatch\"}[$((HOURS + 1))h]))")"
    [ "$HELD" != none ] && [ "${HELD%.*}" -ge $((REPLICAS * HOURS * 3600)) ] && break
    sleep 1
done
[ "$HELD" != none ] && [ "${HELD%.*}" -ge $((REPLICAS * HOURS * 3600)) ] ||
    die "the engine does not hold ${HOURS} h of the build-info series (got $HELD samples)"
ROWS="$(curl -sf "$VM/metrics" | awk '/^vm_rows\{type="storage\// {s += $2} END {printf "%.0f", s}')"
log "engine holds $ROWS rows; build-info samples over ${HOURS} h: $HELD"

# --- Correctness before speed ----------------------------------------------------------
# The backfill took minutes: the first traffic has left the 5-minute windows, so the
# same again now, for a current window with data while measuring.
BEFORE=$SENT
send_traffic
RECENT=$((SENT - BEFORE))
FLEET="${BASE[1]}/fleet/operations"
# The first traffic is in the 5-minute windows or not, depending on how long the
# backfill took; the hour holds both.
fresh() {
    local n5 n1
    n5="$(jq '.current_5m.total_operations' <<<"$V")"
    n1="$(jq '.trends.operations_last_1h' <<<"$V")"
    [ "$(jq '.replicas_up' <<<"$V")" = "$REPLICAS" ] && [ "$n1" = "$SENT" ] &&
        { [ "$n5" = "$RECENT" ] || [ "$n5" = "$SENT" ]; }
}
for _ in $(seq 60); do
    V="$(curl -sf "$FLEET" || echo '{}')"
    fresh && break
    sleep 1
done
fresh || die "fleet totals are not the $RECENT or $SENT (5 min) / $SENT (1 h) operations sent: $(head -c 600 <<<"$V")"
log "fleet view: $(jq '.current_5m.total_operations' <<<"$V") operations in 5 min, $SENT in 1 h, $REPLICAS replicas up; $(jq -c .source <<<"$V")"

# --- Measuring -------------------------------------------------------------------------
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        else if (u != "ms") { print "NaN"; exit 1 }
        printf "%.2f", n }'
}
measure() { # name url connections -> a report line
    local f="$TMP/wrk.$1.$3"
    wrk -t1 -c"$3" -d"$WARMUP"s "$2" >/dev/null 2>&1 || true
    wrk -t1 -c"$3" -d"$WRK_DURATION"s --latency --timeout 5s "$2" >"$f" 2>&1 || die "wrk $2"
    grep -qE 'Non-2xx|Socket errors' "$f" && { cat "$f" >&2; die "$1: errors under load"; }
    local rps p50 p90 p99 n
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$f")"
    n="$(awk '/requests in/ {print $1}' "$f")"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")"
    p90="$(to_ms "$(awk '$1 == "90%" {print $2}' "$f")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")"
    printf '%-8s %4s %9.1f %8s %9s %9s %9s\n' "$1" "$3" "$rps" "$n" "$p50" "$p90" "$p99"
    eval "P99_$1_$3=$p99"
}

STAMP="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
REPORT="$TMP/report"
{
    echo "=== $STAMP  spacewatch $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty src')"
    echo "host: $(nproc) cores, load avg before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "engine: victoria-metrics $(dpkg-query -W -f '${Version}' victoria-metrics 2>/dev/null || echo '?') -search.latencyOffset=1s, scraping $REPLICAS replicas every 1 s"
    echo "history: ${HOURS} h x 1 s x $REPLICAS replicas x $SERIES_PER_REPLICA series = $((HOURS * 3600 * REPLICAS * SERIES_PER_REPLICA)) samples backfilled in ${IMPORT_S} s; engine rows: $ROWS"
    echo "wrk -t1 -cN -d${WRK_DURATION}s --latency (warm-up ${WARMUP}s); $(jq '.current_5m.total_operations' <<<"$V") operations in the 5-minute windows, $SENT in the hour"
    printf '%-8s %4s %9s %8s %9s %9s %9s\n' target conn 'req/s' requests 'p50 ms' 'p90 ms' 'p99 ms'
} >"$REPORT"
for c in $CONCURRENCY; do
    log "measuring with $c connection(s), ${WRK_DURATION}s each"
    measure fleet "$FLEET" "$c" >>"$REPORT"
    measure replica "${BASE[1]}/metrics/operations" "$c" >>"$REPORT"
done
{
    for c in $CONCURRENCY; do
        eval "f=\$P99_fleet_$c r=\$P99_replica_$c"
        awk -v f="$f" -v r="$r" -v c="$c" 'BEGIN {
            printf "c=%s: fleet p99 = %.2f ms (target <= 100 ms: %s); fleet p99 / replica p99 = %.1f\n",
                c, f, (f <= 100 ? "met" : "MISSED"), f / r }'
    done
    # The day's chart: 288 points of 5-minute rate()s over the backfilled history.
    T=()
    for _ in 1 2 3 4 5; do
        T+=("$(curl -sf -o "$TMP/ts.json" -w '%{time_total}' "${BASE[1]}/fleet/timeseries?window=24h&resolution=5m")")
    done
    POINTS="$(jq '[.series.operations_per_second[] | select(. != null)] | length' "$TMP/ts.json")"
    ALL="$(jq '.timestamps | length' "$TMP/ts.json")"
    printf 'timeseries window=24h resolution=5m: %s s (5 sequential requests), %s of %s points with data\n' \
        "$(printf '%s ' "${T[@]}")" "$POINTS" "$ALL"
} >>"$REPORT"

cat "$REPORT"
{ cat "$REPORT"; echo; } >>"$OUT"
log "appended to $OUT"
