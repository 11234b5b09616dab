#!/usr/bin/env bash
# Benchmark of the SpaceWatch S3 gateway: GET of a 4 KiB object at fixed concurrency,
# one load generator (wrk), in one run, against
#   direct   the S3 server itself               http://127.0.0.1:STORE/bench/obj-4k
#   nginx    nginx proxy_pass to that server    http://127.0.0.1:NGINX/bench/obj-4k
#   gateway  spacewatch serve, SigV4 re-signing http://127.0.0.1:SW/s3/bench/obj-4k
# and reports req/s, p50 and p99 of each, and the two ratios of the issue:
#   gateway req/s / nginx req/s           target >= 1.0
#   gateway p99 - direct p99 (ms)         target <= 0.5 ms
#
# Usage: scripts/bench-gateway.sh           (from anywhere; needs root for apt-get)
# Knobs (environment): WRK_THREADS WRK_CONNECTIONS WRK_DURATION WARMUP ROUNDS
#                      NGINX_WORKERS SW_LOG PERF=1 (profile the gateway afterwards)
#                      PERF_DATA=FILE (keep that profile) GATEWAY_VARIANTS (below)
#                      HYPER_FLOOR=1 (also measure examples/bare_proxy.rs, below)
# Results are printed and appended, with a timestamp, to scripts/bench-gateway.out.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/scripts/bench-gateway.out"

# --- Load settings --------------------------------------------------------------------
# The machine has 2 cores, shared by wrk, the store, nginx and the gateway (and noisy
# neighbours). One wrk thread keeps the load generator to at most one core, so the
# servers under test are not starved more than they must be; 16 connections is enough
# concurrency to keep every server busy (each request takes well under a millisecond)
# without building a deep queue whose wait would dominate the latency percentiles.
# 15 s per target gives ~10^5 requests, so p99 rests on ~10^3 samples, and the whole
# run (3 targets plus warm-ups) stays around a minute. All three targets get exactly
# these settings.
WRK_THREADS="${WRK_THREADS:-1}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-16}"
WRK_DURATION="${WRK_DURATION:-15}"   # seconds
WARMUP="${WARMUP:-3}"                # seconds of unmeasured load per target first
ROUNDS="${ROUNDS:-1}"                # repeat direct/nginx/gateway this many times
# One nginx worker: nginx is a single-threaded event loop per worker, and on 2 cores
# that already run wrk, the store and a proxy, a second worker would only compete with
# the store for the same CPUs (more context switches, not more throughput). It also
# matches how nginx is usually run on a 1-2 vCPU box. Raise it to see the difference.
NGINX_WORKERS="${NGINX_WORKERS:-1}"
# SpaceWatch writes one log line per operation to stdout. It goes to a file, as it would
# in production behind a log shipper; the file's line count is checked after the run.
# SW_LOG=/dev/null measures the gateway without that I/O.
SW_LOG="${SW_LOG:-}"
# More gateways measured in the same run, each a second spacewatch process with its own
# environment or binary: space-separated NAME|VAR=VALUE,VAR=VALUE entries, where
# SW_BIN=PATH names another binary, e.g.
#   GATEWAY_VARIANTS="gw-1worker|TOKIO_WORKER_THREADS=1 gw-other|SW_BIN=/tmp/spacewatch"
GATEWAY_VARIANTS="${GATEWAY_VARIANTS:-}"
PERF="${PERF:-0}"
# Which target PERF=1 profiles (a gateway: gateway, gw-sigv4 or a variant's name).
PERF_TARGET="${PERF_TARGET:-gateway}"
# The floor of the gateway's HTTP stack: examples/bare_proxy.rs, a plain hyper proxy
# with none of SpaceWatch's work, measured as three more targets — hyper-multi (tokio's
# multi-thread runtime, as spacewatch runs), hyper-percore (one current-thread runtime
# per core, SO_REUSEPORT listeners, a pool per runtime) and hyper-paired (each client
# connection drives its own upstream connection in its own task, no pool). They say
# how much of the gateway's CPU per request is the stack's own, and what
# thread-per-core or connection pairing would buy.
HYPER_FLOOR="${HYPER_FLOOR:-0}"
# The gateway is also measured with standard SigV4 auth (SIGV4=1, the default): the same
# server as `gateway`, asked with gateway credentials from POST /gateway/credentials and a
# header-signed GET (valid 15 minutes, so wrk can replay it) instead of the tenant headers:
# the cost of verifying the client's signature on top of re-signing.
SIGV4="${SIGV4:-1}"

OBJECT_PATH="/bench/obj-4k"
OBJECT_SIZE=4096
KEY="BENCHKEY0000000000000"
SECRET="bench-secret-key"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] FAIL: %s\n' "$*" >&2; exit 1; }

# --- Tools: install only what is missing -------------------------------------------
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ "$PERF" = 1 ] && ! command -v perf >/dev/null 2>&1; then need+=(linux-perf); fi
if [ "${#need[@]}" -gt 0 ]; then
    log "installing ${need[*]} with apt-get"
    # Debian's nginx package starts a system nginx on port 80 when installed; we only
    # want the binary, so services are held back for the install (policy-rc.d 101).
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    rc=0
    { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } || rc=$?
    if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
    [ "$rc" = 0 ] || die "apt-get install ${need[*]} failed"
fi
NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"

# --- Build -----------------------------------------------------------------------------
# The gateway exactly as `cargo build --release` builds it. The example is built in a
# target dir of its own: building an example enables the dev-dependencies, which changes
# the features of shared dependencies, so sharing target/release would rebuild the
# spacewatch library on every switch (and could hand us a differently-featured binary).
log "building release binaries (spacewatch; example bench_store in target/bench-example)"
(cd "$ROOT" && cargo build --release --quiet --bin spacewatch)
(cd "$ROOT" && CARGO_TARGET_DIR="$ROOT/target/bench-example" \
    cargo build --release --quiet --example bench_store)
SW_BIN="$ROOT/target/release/spacewatch"
STORE_BIN="$ROOT/target/bench-example/release/examples/bench_store"
BARE_BIN="$ROOT/target/bench-example/release/examples/bare_proxy"
if [ "$HYPER_FLOOR" = 1 ]; then
    (cd "$ROOT" && CARGO_TARGET_DIR="$ROOT/target/bench-example" \
        cargo build --release --quiet --example bare_proxy)
fi

# --- Processes and cleanup -------------------------------------------------------------
TMP="$(mktemp -d -t spacewatch-bench.XXXXXX)"
PIDS=()
cleanup() {
    local rc=$?
    # Only the processes this script started, by their pid.
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ]; then
        for f in "$TMP"/*.err "$TMP"/nginx-error.log; do
            [ -s "$f" ] && { log "--- tail of $(basename "$f")"; tail -n 20 "$f" >&2; }
        done
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nobody listens on (bash's /dev/tcp connect fails), not already taken
# by this run. There is a small window before our server binds; a clash fails loudly.
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

# Waits until something accepts connections on the port (or the process died).
wait_port() {
    local port=$1 pid=$2 name=$3
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.05
    done
    die "$name did not listen on port $port within 10 s"
}

STORE_PORT="$(free_port)"
NGINX_PORT="$(free_port)"

# The S3 server (embedded s3s-fs store) with bucket bench, object obj-4k.
log "starting the store on 127.0.0.1:$STORE_PORT"
"$STORE_BIN" --port "$STORE_PORT" --key "$KEY" --secret "$SECRET" \
    >"$TMP/store.out" 2>"$TMP/store.err" &
STORE_PID=$!
PIDS+=("$STORE_PID")
for _ in $(seq 300); do
    grep -q '^READY ' "$TMP/store.out" 2>/dev/null && break
    kill -0 "$STORE_PID" 2>/dev/null || die "bench_store exited during start-up"
    sleep 0.05
done
grep -q '^READY ' "$TMP/store.out" || die "bench_store not READY within 15 s"

# nginx: its own prefix and config in $TMP, in the foreground so we own its pid.
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx.conf" <<EOF
daemon off;
worker_processes $NGINX_WORKERS;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    # Temp paths inside our prefix (the packaged defaults may not be writable).
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    # wrk keeps its connections for the whole run; nginx's default of closing a client
    # connection after 1000 requests would make nginx alone pay reconnects.
    keepalive_requests 1000000;
    upstream store {
        server 127.0.0.1:$STORE_PORT;
        # Idle upstream connections kept per worker: more than wrk's connections, so
        # every request reuses one (as the gateway's hyper pool does).
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://store;
            # Both are needed for upstream keepalive.
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
log "starting nginx on 127.0.0.1:$NGINX_PORT ($NGINX_WORKERS worker)"
"$NGINX_BIN" -p "$TMP/nginx" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" \
    >"$TMP/nginx.out" 2>"$TMP/nginx.err" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_port "$NGINX_PORT" "$NGINX_PID" nginx

# A gateway: start_gateway NAME BINARY PORT [VAR=VALUE…]. Run from $TMP so no .env of
# the checkout is picked up; limits off. Sets GW_PID.
declare -A LOG_FILE
start_gateway() {
    local name="$1" bin="$2" port="$3"
    shift 3
    LOG_FILE[$name]="${SW_LOG:-$TMP/$name.log}"
    log "starting $name ($bin $*) on 127.0.0.1:$port (stdout to ${LOG_FILE[$name]})"
    (
        cd "$TMP"
        export "$@" RATE_LIMIT_RPS=0 GATEWAY_RATE_LIMIT_RPS=0
        exec "$bin" serve \
            --host 127.0.0.1 --port "$port" \
            --endpoint "http://127.0.0.1:$STORE_PORT" \
            --allow-endpoint "http://127.0.0.1:$STORE_PORT" \
            --log-format json
    ) >"${LOG_FILE[$name]}" 2>"$TMP/$name.err" &
    GW_PID=$!
    PIDS+=("$GW_PID")
    wait_port "$port" "$GW_PID" "$name"
}

# --- Targets ---------------------------------------------------------------------------
NAMES=(direct nginx gateway)
GATEWAYS=(gateway)
declare -A URL HDRS SERVER_PID
URL[direct]="http://127.0.0.1:$STORE_PORT$OBJECT_PATH"
URL[nginx]="http://127.0.0.1:$NGINX_PORT$OBJECT_PATH"
HDRS[direct]=""
HDRS[nginx]=""
SERVER_PID[direct]=""
SERVER_PID[nginx]="$NGINX_PID"
add_gateway() {
    local name="$1" bin="$2" port
    shift 2
    port="$(free_port)"
    start_gateway "$name" "$bin" "$port" "$@"
    URL[$name]="http://127.0.0.1:$port/s3$OBJECT_PATH"
    HDRS[$name]="X-Spaces-Key: $KEY
X-Spaces-Secret: $SECRET"
    SERVER_PID[$name]="$GW_PID"
}
add_gateway gateway "$SW_BIN"
if [ "$SIGV4" = 1 ]; then
    gw_base="${URL[gateway]%/s3$OBJECT_PATH}"
    creds="$(curl -sS -X POST -H "X-Spaces-Key: $KEY" -H "X-Spaces-Secret: $SECRET" \
        "$gw_base/gateway/credentials")" || die "gateway credentials: curl failed"
    HDRS[gw-sigv4]="$(python3 - "${URL[gateway]}" "$creds" <<'PY'
import json, sys
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, c = sys.argv[1], json.loads(sys.argv[2])
req = AWSRequest(method="GET", url=url)
creds = Credentials(c["access_key_id"], c["secret_access_key"], c["session_token"])
S3SigV4Auth(creds, "s3", c["region"]).add_auth(req)
for k, v in req.headers.items():
    print(f"{k}: {v}")
PY
)" || die "gw-sigv4: cannot sign the request (python3 with botocore)"
    URL[gw-sigv4]="${URL[gateway]}"
    SERVER_PID[gw-sigv4]="${SERVER_PID[gateway]}"
    LOG_FILE[gw-sigv4]="${LOG_FILE[gateway]}"
    NAMES+=(gw-sigv4)
    GATEWAYS+=(gw-sigv4)
fi
for v in $GATEWAY_VARIANTS; do
    name="${v%%|*}" bin="$SW_BIN" envs=()
    IFS=, read -ra assigns <<<"${v#*|}"
    for a in "${assigns[@]}"; do
        case "$a" in
            SW_BIN=*) bin="${a#SW_BIN=}" ;;
            ?*=*) envs+=("$a") ;;
        esac
    done
    [ -x "$bin" ] || die "$name: no binary $bin"
    add_gateway "$name" "$bin" "${envs[@]}"
    NAMES+=("$name")
    GATEWAYS+=("$name")
done

# The hyper floor: add_bare NAME LAYOUT (multi | per-core), two threads.
add_bare() {
    local name="$1" layout="$2" port
    port="$(free_port)"
    log "starting $name (bare_proxy --layout $layout) on 127.0.0.1:$port"
    "$BARE_BIN" --port "$port" --upstream "http://127.0.0.1:$STORE_PORT" \
        --layout "$layout" --threads 2 >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PIDS+=("$!")
    wait_port "$port" "$!" "$name"
    URL[$name]="http://127.0.0.1:$port$OBJECT_PATH"
    HDRS[$name]=""
    SERVER_PID[$name]="$!"
    NAMES+=("$name")
}
if [ "$HYPER_FLOOR" = 1 ]; then
    add_bare hyper-multi multi
    add_bare hyper-percore per-core
    add_bare hyper-paired paired
fi

# Header arguments of one target, for curl (-H) and wrk (-H) alike.
hdr_args() {
    local line
    HA=()
    while IFS= read -r line; do
        [ -n "$line" ] && HA+=(-H "$line")
    done <<<"${HDRS[$1]}"
    return 0
}

# Before measuring: 200, 4096 bytes, and the same bytes on every path.
for t in "${NAMES[@]}"; do
    hdr_args "$t"
    res="$(curl -sS -o "$TMP/body.$t" -w '%{http_code} %{size_download}' "${HA[@]}" "${URL[$t]}")" \
        || die "$t: curl ${URL[$t]} failed"
    [ "$res" = "200 $OBJECT_SIZE" ] \
        || die "$t: expected '200 $OBJECT_SIZE' (status, bytes), got '$res': $(head -c 300 "$TMP/body.$t")"
    cmp -s "$TMP/body.direct" "$TMP/body.$t" || die "$t: body differs from the direct one"
    log "$t: ${URL[$t]} -> 200, $OBJECT_SIZE bytes"
done

# --- Measuring -------------------------------------------------------------------------
WRK_ARGS=(-t"$WRK_THREADS" -c"$WRK_CONNECTIONS" --latency --timeout 5s)

# wrk's durations (e.g. 812.00us, 1.23ms, 2.01s) in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        else if (u != "ms") { print "NaN"; exit 1 }
        printf "%.3f", n }'
}

# Runs wrk on target $1 for $2 seconds; leaves its output in $TMP/wrk.$1.
run_wrk() {
    hdr_args "$1"
    wrk "${WRK_ARGS[@]}" -d"$2"s "${HA[@]}" "${URL[$1]}" >"$TMP/wrk.$1" 2>&1 \
        || { cat "$TMP/wrk.$1" >&2; die "$1: wrk failed"; }
}

# Sets RPS P50 P99 from $TMP/wrk.$1; any non-2xx answer or socket error fails the run.
parse_wrk() {
    local f="$TMP/wrk.$1"
    if grep -qE 'Non-2xx|Socket errors' "$f"; then
        cat "$f" >&2
        die "$1: wrk saw errors; the figures would not be of 4 KiB GETs"
    fi
    RPS="$(awk '/^Requests\/sec:/ {print $2}' "$f")"
    P50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")"
    P99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")"
    [ -n "$RPS" ] && [ "$P50" != NaN ] && [ "$P99" != NaN ] \
        || { cat "$f" >&2; die "$1: cannot parse wrk output"; }
}

# CPU time (user+system, ms) used so far by a process and its children's live
# processes (nginx's master and workers). On 2 saturated cores, req/s is roughly
# inversely proportional to the CPU all processes spend per request, so CPU µs per
# request of the store and of the proxy explain the req/s ratios.
# user_ms is the user-space part alone: the kernel's part (two sockets' reads and
# writes, wake-ups) is much the same for every proxy, so the user part is where one
# proxy's work differs from another's.
TICK_MS=$((1000 / $(getconf CLK_TCK)))
ticks_ms() {
    local expr="$1" total=0 pid t
    shift
    for pid in "$@" $(pgrep -P "$1" 2>/dev/null || true); do
        t="$(awk "{print $expr}" "/proc/$pid/stat" 2>/dev/null || echo 0)"
        total=$((total + t))
    done
    echo $((total * TICK_MS))
}
cpu_ms() { ticks_ms '$14 + $15' "$@"; }
user_ms() { ticks_ms '$14' "$@"; }

log "warming up (${WARMUP}s each; fills the gateway's bucket cache and connection pools)"
for t in "${NAMES[@]}"; do run_wrk "$t" "$WARMUP"; done

STAMP="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
REPORT="$TMP/report"
{
    echo "=== $STAMP  spacewatch $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty src')"
    echo "host: $(nproc) cores, load avg before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), $("$NGINX_BIN" -v 2>&1 | sed 's/.*: //') (worker_processes $NGINX_WORKERS)"
    echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s --latency (warm-up ${WARMUP}s each); GET 4096-byte object; spacewatch stdout -> ${SW_LOG:-file}"
} >"$REPORT"

for round in $(seq "$ROUNDS"); do
    declare -A R50 R99 RR CS CP CU
    for t in "${NAMES[@]}"; do
        log "round $round/$ROUNDS: $t for ${WRK_DURATION}s"
        store0="$(cpu_ms "$STORE_PID")"
        proxy0=0 puser0=0
        if [ -n "${SERVER_PID[$t]}" ]; then
            proxy0="$(cpu_ms "${SERVER_PID[$t]}")" puser0="$(user_ms "${SERVER_PID[$t]}")"
        fi
        run_wrk "$t" "$WRK_DURATION"
        store1="$(cpu_ms "$STORE_PID")"
        proxy1=0 puser1=0
        if [ -n "${SERVER_PID[$t]}" ]; then
            proxy1="$(cpu_ms "${SERVER_PID[$t]}")" puser1="$(user_ms "${SERVER_PID[$t]}")"
        fi
        parse_wrk "$t"
        RR[$t]=$RPS R50[$t]=$P50 R99[$t]=$P99
        REQS="$(awk '/requests in/ {print $1}' "$TMP/wrk.$t")"
        CS[$t]="$(awk -v c=$((store1 - store0)) -v n="$REQS" 'BEGIN {printf "%.0f", c * 1000 / n}')"
        CP[$t]="$(awk -v c=$((proxy1 - proxy0)) -v n="$REQS" 'BEGIN {printf "%.0f", c * 1000 / n}')"
        CU[$t]="$(awk -v c=$((puser1 - puser0)) -v n="$REQS" 'BEGIN {printf "%.0f", c * 1000 / n}')"
    done
    {
        [ "$ROUNDS" -gt 1 ] && echo "round $round"
        printf '%-12s %10s %9s %9s %17s %17s %12s\n' target 'req/s' 'p50 ms' 'p99 ms' 'store CPU us/req' 'proxy CPU us/req' 'of it user'
        for t in "${NAMES[@]}"; do
            proxy="${CP[$t]}" user="${CU[$t]}"; [ "$t" = direct ] && proxy=- user=-
            printf '%-12s %10.0f %9.3f %9.3f %17s %17s %12s\n' "$t" "${RR[$t]}" "${R50[$t]}" "${R99[$t]}" "${CS[$t]}" "$proxy" "$user"
        done
        for g in "${GATEWAYS[@]}"; do
            awk -v name="$g" -v g="${RR[$g]}" -v n="${RR[nginx]}" -v d="${RR[direct]}" \
                -v g99="${R99[$g]}" -v d99="${R99[direct]}" -v n99="${R99[nginx]}" 'BEGIN {
                r = g / n; a = g99 - d99
                printf "%s/nginx req/s      = %.3f  (target >= 1.0: %s)\n", name, r, (r >= 1.0 ? "met" : "MISSED")
                printf "%s p99 - direct p99 = %.3f ms  (target <= 0.5 ms: %s)\n", name, a, (a <= 0.5 ? "met" : "MISSED")
                printf "for reference: %s/direct req/s = %.3f, nginx/direct req/s = %.3f, nginx p99 - direct p99 = %.3f ms\n", name, g / d, n / d, n99 - d99 }'
        done
        for t in "${NAMES[@]}"; do
            case "$t" in hyper-*) ;; *) continue ;; esac
            awk -v name="$t" -v h="${RR[$t]}" -v n="${RR[nginx]}" -v h99="${R99[$t]}" \
                -v d99="${R99[direct]}" -v hc="${CP[$t]}" -v gc="${CP[gateway]}" 'BEGIN {
                printf "floor: %s/nginx req/s = %.3f, p99 - direct p99 = %.3f ms, gateway CPU - %s CPU = %d us/req\n", name, h / n, h99 - d99, name, gc - hc }'
        done
    } >>"$REPORT"
done

# Every gateway request should have become one logged operation.
if [ -z "$SW_LOG" ]; then
    sleep 1 # the export task writes log lines asynchronously
    for g in "${GATEWAYS[@]}"; do
        echo "$g log lines written: $(grep -c STORAGE_OP "${LOG_FILE[$g]}" || true)" >>"$REPORT"
    done
fi

cat "$REPORT"
{ cat "$REPORT"; echo; } >>"$OUT"
log "appended to $OUT"

# --- Optional profile of the gateway (separate pass: perf skews what it measures) -----
if [ "$PERF" = 1 ]; then
    PERF_OUT="$ROOT/scripts/bench-gateway.perf.txt"
    log "profiling $PERF_TARGET: perf record -g -p ${SERVER_PID[$PERF_TARGET]} during a ${WRK_DURATION}s run"
    perf record -q -g -p "${SERVER_PID[$PERF_TARGET]}" -o "$TMP/perf.data" -- sleep "$WRK_DURATION" \
        >/dev/null 2>"$TMP/perf.err" &
    PERF_PID=$!
    run_wrk "$PERF_TARGET" "$WRK_DURATION"
    wait "$PERF_PID" || true
    parse_wrk "$PERF_TARGET"
    {
        echo "# $STAMP perf record -g -p <$PERF_TARGET> during wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s;"
        echo "# this pass (perf attached): $RPS req/s, p50 $P50 ms, p99 $P99 ms. Self time by symbol, then by object:"
    } >"$PERF_OUT"
    perf report -i "$TMP/perf.data" --stdio --no-children --sort symbol \
        --percent-limit 0.5 -g none 2>/dev/null |
        grep -vE '^#|^$' | sed -E 's/[ -]+$//' | head -n 40 >>"$PERF_OUT" || true
    perf report -i "$TMP/perf.data" --stdio --no-children --sort dso \
        -g none 2>/dev/null | grep -vE '^#|^$' | sed -E 's/[ -]+$//' | head -n 15 \
        >>"$PERF_OUT" || true
    log "perf top entries in $PERF_OUT"
    # PERF_DATA=FILE keeps the recording for `perf report -i FILE` (call graphs).
    if [ -n "${PERF_DATA:-}" ]; then cp "$TMP/perf.data" "$PERF_DATA"; fi
fi
