#!/usr/bin/env bash
# Lines of Rust in src/ of the crate generated from the whole official S3
# model, with and without doc comments (`///` and `//!` lines), as
# BENCHMARKS.md counts them.
#
# Usage: bash tests/bench/lines.sh   (S3_OFFICIAL_MODEL overrides the model)
set -euo pipefail
cd "$(dirname "$0")/../.."
model="${S3_OFFICIAL_MODEL:-../shared/models/s3.json}"
out="target/lines-bench"
cargo xtask codegen --model "$model" --all --out "$out" >/dev/null
files=$(find "$out/src" -name '*.rs' | sort)
all=$(cat $files | wc -l)
code=$(cat $files | grep -cvE '^\s*//[/!]')
echo "all lines: $all"
echo "without doc comments: $code"
