#!/usr/bin/env bash
# Runs every benchmark of this directory and prints the figures that
# BENCHMARKS.md quotes. Usage: bash tests/bench/run.sh [--peers]
# (--peers also builds and runs tests/bench/peers: s3s and aws-sdk-s3, a
# build of about ten minutes on two cores, their endpoint resolvers and
# endpoint_size.sh).
set -euo pipefail
cd "$(dirname "$0")"
CRITERION_ARGS=(--warm-up-time 1 --measurement-time 3)

echo "== machine"
lscpu | grep -E 'Model name|^CPU\(s\)'
date -u
uptime
echo "== source: $(git -C ../.. rev-parse --short HEAD) (working tree, generated/ $(git -C ../.. ls-files -m generated | wc -l) modified file(s))"

echo "== xml benches"
cargo bench --bench xml -- "${CRITERION_ARGS[@]}"
uptime

if [[ "${1:-}" == "--peers" ]]; then
  echo "== peer benches"
  (cd peers && cargo bench --bench peers -- "${CRITERION_ARGS[@]}")
  uptime
  echo "== endpoint resolution against aws-sdk-s3's DefaultResolver"
  (cd peers && cargo bench --bench endpoints -- "${CRITERION_ARGS[@]}")
  uptime
  echo "== endpoint resolver code size"
  bash endpoint_size.sh
fi

echo "== generator, whole official model"
cargo build --release --bin codegen-timing
/usr/bin/time -v ./target/release/codegen-timing ../../../shared/models/s3.json 7 2> >(grep -E 'Elapsed|Maximum resident' >&2)
uptime
