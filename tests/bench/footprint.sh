#!/usr/bin/env bash
# Footprint of a minimal program that sends PutBucketAnalyticsConfiguration:
# footprint/ours (s3-api with the `client` feature) against footprint/sdk
# (aws-sdk-s3 1.157.0 with aws-config), side by side in one run: clean
# release build time with dependencies, and the stripped binary's size.
# Dependencies are fetched first, so the timings are compile time only.
# Usage: bash tests/bench/footprint.sh
set -euo pipefail
cd "$(dirname "$0")/footprint"
uptime
for crate in ours sdk; do
  (cd "$crate" && cargo fetch --quiet)
done
printf '%-6s %12s %14s\n' crate "build (s)" "binary (bytes)"
for crate in ours sdk; do
  (cd "$crate" && cargo clean --quiet)
  start=$(date +%s.%N)
  (cd "$crate" && cargo build --release --quiet --offline)
  end=$(date +%s.%N)
  bin="$crate/target/release/footprint-$crate"
  printf '%-6s %12.1f %14d\n' "$crate" "$(echo "$end - $start" | bc)" "$(stat -c %s "$bin")"
done
uptime
