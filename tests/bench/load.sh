#!/usr/bin/env bash
# A bounded load test on loopback, the same load against each server in turn:
# this project's example server (tests/examples/analytics_server.rs, built on
# the generated `s3_api::operation::serve`) and s3s-fs 0.14.1 (s3s's
# file-system server). Each server is started alone, gets one warm-up run,
# then the measured run of `load` (tests/bench/load): unsigned path-style
# PUTs and verified GETs of small objects over keep-alive connections.
# Records for each: the load tool's JSON line, the 1/5/15-minute load
# average and the share of CPU time the machine spent busy over the 2 s
# before the run, the server's peak RSS (VmHWM, warm-up included) and its
# CPU time during the measured run. Prints a table and the ratio of the
# servers' requests per second. See BENCHMARKS.md.
#
# s3s-fs keeps objects in files, the example server in memory: s3s-fs's
# data directory is on tmpfs (/dev/shm) when there is one, so that it
# pays no disk I/O either.
#
#   bash tests/bench/load.sh
#
# Settings (environment): LOAD_CONNECTIONS (64), LOAD_REQUESTS (100000),
# LOAD_SIZE (1024), LOAD_KEYS (10000), LOAD_WARMUP (5000 requests),
# LOAD_THREADS (1: the load tool on one current-thread runtime),
# LOAD_SERVERS ("s3-api s3s-fs"), LOAD_PAUSE (15 s of rest between two
# servers), LOAD_S3S_DATA (where s3s-fs's data directory
# s3s-fs-load-bench is made afresh and removed after; default /dev/shm, or
# target/load-bench without it).
# Output: target/load-bench/ (results.jsonl, the servers' logs).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
connections=${LOAD_CONNECTIONS:-64}
requests=${LOAD_REQUESTS:-100000}
size=${LOAD_SIZE:-1024}
keys=${LOAD_KEYS:-10000}
warmup=${LOAD_WARMUP:-5000}
threads=${LOAD_THREADS:-1}
servers=${LOAD_SERVERS:-"s3-api s3s-fs"}
pause=${LOAD_PAUSE:-15}

out="$root/target/load-bench"
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"
if [ -n "${LOAD_S3S_DATA:-}" ]; then
  data="$LOAD_S3S_DATA/s3s-fs-load-bench"
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
  data=/dev/shm/s3s-fs-load-bench
else
  data="$out/s3s-fs-load-bench"
fi

echo "== building (release): the load tool, the example server; s3s-fs if absent" >&2
cargo build --quiet --release --manifest-path tests/bench/load/Cargo.toml
load="$root/tests/bench/load/target/release/load"
cargo build --quiet --release -p s3-api --example analytics-server
ours="$root/target/release/examples/analytics-server"
s3s="$root/target/s3s-fs"
if [ ! -x "$s3s/bin/s3s-fs" ]; then
  cargo install --quiet s3s-fs@0.14.1 --locked --features binary --root "$s3s"
fi

pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

# Starts the server $1; sets pid and endpoint.
start() {
  case "$1" in
    s3-api)
      "$ours" --listen 127.0.0.1:0 >"$out/s3-api.stdout" 2>"$out/s3-api.stderr" &
      pid=$!
      for _ in $(seq 100); do
        addr=$(sed -n 's/^listening on //p' "$out/s3-api.stdout")
        [ -n "$addr" ] && break
        sleep 0.1
      done
      [ -n "$addr" ] || { echo "the example server did not start" >&2; exit 1; }
      endpoint="http://$addr"
      ;;
    s3s-fs)
      # A fresh data directory; no --access-key: unsigned requests are served.
      rm -rf "$data"
      mkdir -p "$data"
      port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      "$s3s/bin/s3s-fs" --host 127.0.0.1 --port "$port" "$data" \
        >"$out/s3s-fs.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
      done
      endpoint="http://127.0.0.1:$port"
      ;;
    *)
      echo "unknown server $1 (s3-api or s3s-fs)" >&2
      exit 2
      ;;
  esac
}

# CPU seconds (user + system) the process $1 has used.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

# Percent of CPU time the machine spent busy (not idle, not waiting for
# I/O) over the next 2 seconds.
busy_percent() {
  local a b
  a=$(head -1 /proc/stat)
  sleep 2
  b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    split(a, x); split(b, y); total = 0; idle = 0
    for (i = 2; i <= 9; i++) total += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6])
    printf "%.0f", total ? 100 * (total - idle) / total : 0 }'
}

first=1
for server in $servers; do
  if [ -z "$first" ]; then
    sleep "$pause"
  fi
  first=
  start "$server"
  echo "== $server at $endpoint (pid $pid)" >&2
  common=(--endpoint "$endpoint" --name "$server" --connections "$connections"
    --size "$size" --keys "$keys" --threads "$threads")
  # Warm-up: its own bucket, a few thousand requests.
  "$load" "${common[@]}" --bucket warmup --requests "$warmup" >"$out/$server.warmup.json" || true
  echo "   warm-up: $(cat "$out/$server.warmup.json")" >&2
  busy=$(busy_percent)
  loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
  cpu_before=$(cpu_seconds "$pid")
  status=0
  line=$("$load" "${common[@]}" --bucket load --requests "$requests") || status=$?
  cpu_after=$(cpu_seconds "$pid")
  hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  if [ -z "$line" ]; then
    echo "   the load tool failed (exit $status)" >&2
    continue
  fi
  cpu=$(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { printf "%.2f", b - a }')
  line="${line%\}}, \"load_before\": \"$loadavg\", \"busy_before_pct\": $busy, \"peak_rss_kib\": $hwm, \"server_cpu_s\": $cpu}"
  echo "   run: $line" >&2
  echo "$line" >>"$results"
done

python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| server | requests | rps | p50 ms | p99 ms | p99 PUT / GET ms | errors | lost | peak RSS MiB | server CPU s | load CPU s | load avg before | busy before |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['server']} | {r['requests']:,} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
          f"| {r['put_p99_ms']:.2f} / {r['get_p99_ms']:.2f} "
          f"| {r['errors']:,} | {r['lost']:,} | {r['peak_rss_kib'] / 1024:.1f} | {r['server_cpu_s']:.2f} "
          f"| {r['client_cpu_s']} | {r['load_before']} | {r['busy_before_pct']}% |")
for r in rows:
    if r.get("first_error"):
        print(f"{r['server']}: first error: {r['first_error']}")
by = {r["server"]: r for r in rows}
if "s3-api" in by and "s3s-fs" in by:
    ours, theirs = by["s3-api"], by["s3s-fs"]
    ratio = ours["rps"] / theirs["rps"]
    note = "" if ours["errors"] == 0 and theirs["errors"] == 0 else \
        " (not comparable: a server answered errors, see above)"
    print(f"\nrps s3-api / s3s-fs: {ratio:.2f}x{note} (goal: at least 2x)")
EOF
