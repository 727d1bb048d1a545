#!/usr/bin/env bash
# Machine code size of the two endpoint resolvers, measured the same way:
# peers/src/bin/resolve_ours.rs (s3_api::endpoint::resolve) and
# peers/src/bin/resolve_sdk.rs (aws-sdk-s3's DefaultResolver) each resolve
# one endpoint from the command line; resolve_none.rs reads the same command
# line and resolves nothing. All three are built with `cargo build --release`
# in peers (its release profile keeps the symbol table).
#
# Prints, for each resolver:
# - own code: the functions whose demangled name starts with one of the
#   resolver's paths (or is a trait impl on one of its types, `<path...`),
#   each address counted once (identical functions folded to one address
#   carry several names);
# - generic glue: other functions naming those paths (drop_in_place<...>,
#   Vec<...> and the like instantiated for the resolver's types);
# - the largest single function;
# - its data symbols (node and partition tables);
# - the whole binary's .text/.rodata/.data.rel.ro over the baseline's, which
#   also counts the libraries each resolver pulls in (url, regex-lite, JSON...).
# Usage: bash tests/bench/endpoint_size.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/peers"
if [[ "${1:-}" != "--no-build" ]]; then
  cargo build --release --bin resolve_ours --bin resolve_sdk --bin resolve_none
fi
BIN=target/release
OURS='s3_api::endpoint::|s3_runtime::endpoint::'
SDK='aws_sdk_s3::config::endpoint::|aws_sdk_s3::endpoint_lib::|aws_smithy_runtime::client::endpoint|aws_smithy_types::endpoint|aws_smithy_runtime_api::client::endpoint|aws_smithy_http::endpoint'

# Both resolve the same endpoint, or the comparison means little.
ARGS=(arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint us-west-2 0 0 - 0)
echo "resolve_ours: $("$BIN/resolve_ours" "${ARGS[@]}")"
echo "resolve_sdk:  $("$BIN/resolve_sdk" "${ARGS[@]}")"
echo

# classify BINARY PATHS-REGEX: own/glue code totals, the largest own function, data.
classify() {
  nm --print-size --size-sort --radix=d -C "$1" | awk -v re="$2" '
    NF >= 4 {
      addr = $1; size = $2 + 0; type = $3
      name = $4; for (i = 5; i <= NF; i++) name = name " " $i
      own = (name ~ "^<?(" re ")")
      glue = !own && (name ~ "(" re ")")
      if (!own && !glue) next
      if (type ~ /^[tTwW]$/) {
        if (addr in seen) next
        seen[addr] = 1
        if (own) { code += size; n++; if (size > big) { big = size; bigname = name } }
        else { gluecode += size; gn++ }
      } else if (own) {
        data += size; datanames = datanames sprintf("      %7d %s %s\n", size, type, name)
      }
    }
    END {
      printf "  own code      %8d bytes in %d functions\n", code, n
      printf "  generic glue  %8d bytes in %d functions\n", gluecode, gn
      printf "  largest       %8d bytes: %s\n", big, bigname
      printf "  data symbols  %8d bytes\n%s", data, datanames
    }'
}

# Per-path breakdown of own code.
paths() {
  local re
  IFS='|' read -ra prefixes <<<"$2"
  for re in "${prefixes[@]}"; do
    nm --print-size --radix=d -C "$1" | awk -v re="$re" '
      NF >= 4 && $3 ~ /^[tTwW]$/ {
        name = $4; for (i = 5; i <= NF; i++) name = name " " $i
        if (name ~ "^<?" re && !($1 in seen)) { seen[$1] = 1; s += $2 }
      }
      END { printf "    %-45s %8d\n", re, s }'
  done
}

section() { size -A "$1" | awk -v s="$2" '$1 == s { print $2 }'; }

for which in ours sdk; do
  if [[ $which == ours ]]; then re=$OURS; title="s3-api (s3_api::endpoint::resolve)"; else re=$SDK; title="aws-sdk-s3 (DefaultResolver)"; fi
  echo "== $title, $BIN/resolve_$which"
  classify "$BIN/resolve_$which" "$re"
  echo "  own code by path:"
  paths "$BIN/resolve_$which" "$re"
  echo
done

# Anonymous read-only data that nm cannot name: aws-sdk-s3's partitions
# JSON (parsed at the first resolve). Our node table is the `static NODES`,
# which nm names among the data symbols above.
python3 - "$BIN/resolve_sdk" "$BIN/resolve_ours" <<'EOF'
import re, struct, sys, glob
sdk, ours = (open(p, "rb").read() for p in sys.argv[1:3])
src = glob.glob(__import__("os").path.expanduser(
    "~/.cargo/registry/src/*/aws-sdk-s3-1.157.0/src/endpoint_lib.rs"))
if src:
    text = open(src[0]).read()
    m = re.search(r'new_from_json\(b"(\{\\"partitions.*?)"\)', text)
    if m:
        json = m.group(1).encode().decode("unicode_escape").encode()
        print(f"aws-sdk-s3 partitions JSON: {len(json)} bytes, in resolve_sdk: {json in sdk}")
EOF
echo

# Code by crate (first path segment of each function, generic
# instantiations under the crate that defines the generic), over the baseline.
crates() {
  nm --print-size --radix=d -C "$1" | awk '
    NF >= 4 && $3 ~ /^[tTwW]$/ && !($1 in seen) {
      seen[$1] = 1
      name = $4; for (i = 5; i <= NF; i++) name = name " " $i
      sub(/^<+&?(mut )?/, "", name); split(name, part, "::"); s[part[1]] += $2
    }
    END { for (c in s) print c, s[c] }' | sort
}
echo "== code by crate over resolve_none, bytes (largest 10)"
for b in ours sdk; do
  echo "  resolve_$b:"
  join -a 1 -e 0 -o 0,1.2,2.2 <(crates "$BIN/resolve_$b") <(crates "$BIN/resolve_none") |
    awk '{ d = $2 - $3; if (d > 0) print d, $1 }' | sort -rn | head -10 |
    awk '{ printf "    %8d %s\n", $1, $2 }'
done
echo

echo "== whole binary, bytes (and over resolve_none, which resolves nothing)"
printf "  %-14s %10s %10s %13s %10s\n" binary .text .rodata .data.rel.ro .eh_frame
for b in none ours sdk; do
  printf "  %-14s" "resolve_$b"
  for s in .text .rodata .data.rel.ro .eh_frame; do
    v=$(section "$BIN/resolve_$b" "$s"); base=$(section "$BIN/resolve_none" "$s")
    w=10; [[ $s == .data.rel.ro ]] && w=13
    if [[ $b == none ]]; then printf " %${w}s" "$v"; else printf " %${w}s" "+$((v - base))"; fi
  done
  echo
done
