#!/usr/bin/env bash
# Real AWS clients against the `analytics-server` example of s3-api: the
# bucket, analytics and object scenario with botocore (Python) and
# @aws-sdk/client-s3 (JavaScript), and the AWS CLI's `aws s3` and
# `aws s3api` commands, at the exact versions pinned in this directory;
# then botocore and the JS SDK read a SelectObjectContent event stream
# rendered by s3-api.
#
#   tests/clients/run.sh
#
# The clients are installed under target/clients (a venv and a node_modules,
# reinstalled when the pins change); nothing is written in the source tree.
# The server listens on a free loopback port, and stops when this script
# ends (trap) or, failing that, after 60 idle seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."

clients=tests/clients
target="${CARGO_TARGET_DIR:-target}"
work="$target/clients"
mkdir -p "$work"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

for tool in "${PYTHON:-python3}" node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool is needed to run the real clients" >&2
    exit 1
  fi
done

echo "-- installing the pinned clients into $work"
started=$(now)
venv="$work/venv"
if ! cmp -s "$clients/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r "$clients/requirements.txt"
  cp "$clients/requirements.txt" "$venv/requirements.txt"
fi
awscli="$work/awscli"
if ! cmp -s "$clients/awscli-requirements.txt" "$awscli/requirements.txt" 2>/dev/null; then
  rm -rf "$awscli"
  "${PYTHON:-python3}" -m venv "$awscli"
  "$awscli/bin/pip" install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r "$clients/awscli-requirements.txt"
  cp "$clients/awscli-requirements.txt" "$awscli/requirements.txt"
fi
js="$work/js"
if ! cmp -s "$clients/package-lock.json" "$js/package-lock.json" 2>/dev/null ||
  ! cmp -s "$clients/package.json" "$js/package.json" 2>/dev/null ||
  [ ! -d "$js/node_modules" ]; then
  rm -rf "$js"
  mkdir -p "$js"
  cp "$clients/package.json" "$clients/package-lock.json" "$js/"
  (cd "$js" && npm ci --loglevel=error --no-audit --no-fund --ignore-scripts)
fi
# Node resolves the SDK next to the script.
cp "$clients/js_scenario.mjs" "$js/"
echo "installed: botocore $("$venv/bin/python" -c 'import botocore; print(botocore.__version__)')," \
  "@aws-sdk/client-s3 $(node -p 'require(require("path").resolve(process.argv[1])).version' \
    "$js/node_modules/@aws-sdk/client-s3/package.json")" \
  "($(since "$started"))"

echo "-- starting the analytics-server example"
cargo build -q -p s3-api --example analytics-server
out="$work/server.out"
log="$work/server.log"
: >"$out"
# Signatures checked: the scenarios sign with this key.
"$target/debug/examples/analytics-server" --listen 127.0.0.1:0 --max-idle-seconds 60 --verbose \
  --access-key AKIAIOSFODNN7EXAMPLE --secret-key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
  >"$out" 2>"$log" &
server=$!
stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap stop_server EXIT
addr=
for _ in $(seq 200); do
  addr=$(sed -n 's/^listening on //p' "$out")
  [ -n "$addr" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "error: the server exited:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.05
done
if [ -z "$addr" ]; then
  echo "error: the server did not start" >&2
  exit 1
fi
endpoint="http://$addr"
echo "server: listening on $addr"

status=0
echo "-- botocore"
started=$(now)
"$venv/bin/python" "$clients/botocore_scenario.py" "$endpoint" || status=1
echo "botocore: $(since "$started") in all"

echo "-- @aws-sdk/client-s3"
started=$(now)
(cd "$js" && node js_scenario.mjs "$endpoint") || status=1
echo "js: $(since "$started") in all"

echo "-- the AWS CLI"
started=$(now)
"$awscli/bin/python" "$clients/awscli_scenario.py" "$awscli/bin/aws" "$endpoint" || status=1
echo "aws-cli: $(since "$started") in all"

stop_server
trap - EXIT
if [ "$status" -ne 0 ]; then
  echo "error: a client scenario failed; the server's log is $log" >&2
  exit 1
fi
echo "real clients: the botocore, JS SDK and AWS CLI scenarios passed" \
  "($(grep -c ' -> ' "$log") requests, $(grep -c 'aws-chunked' "$log") with aws-chunked bodies)"

# SigV4: the wire example's signed requests and presigned URLs against
# botocore's own signer, same request, same time.
echo "-- SigV4 against botocore's signer"
cargo build -q -p s3-api --example wire
"$venv/bin/python" "$clients/botocore_sign.py" "$target/debug/examples/wire" || status=1
if [ "$status" -ne 0 ]; then
  echo "error: s3-api's signatures differ from botocore's" >&2
  exit 1
fi

# The event stream of SelectObjectContent: s3-api renders the response
# (server side) from select_output.json; a canned-response server hands it to
# each real client, whose own event-stream decoder must read every event
# back. The requests the clients sent are read back by s3-api's server side.
echo "-- event stream: SelectObjectContent"
started=$(now)
cargo build -q -p s3-api --example wire
wire="$target/debug/examples/wire"
"$wire" render-response SelectObjectContent "$clients/select_output.json" >"$work/select.http"
requests="$work/select-requests"
rm -rf "$requests"
: >"$out"
"${PYTHON:-python3}" "$clients/select_server.py" "$work/select.http" "$requests" >"$out" 2>"$log" &
server=$!
trap stop_server EXIT
addr=
for _ in $(seq 200); do
  addr=$(sed -n 's/^listening on //p' "$out")
  [ -n "$addr" ] && break
  sleep 0.05
done
if [ -z "$addr" ]; then
  echo "error: the canned-response server did not start:" >&2
  cat "$log" >&2
  exit 1
fi
cp "$clients/js_select.mjs" "$js/"
"$venv/bin/python" "$clients/botocore_select.py" "http://$addr" \
  "$clients/select_request.json" "$clients/select_output.json" || status=1
(cd "$js" && node js_select.mjs "http://$addr" \
  "$OLDPWD/$clients/select_request.json" "$OLDPWD/$clients/select_output.json") || status=1
stop_server
trap - EXIT
# Each client's request, read by s3-api's server side, is the request sent;
# the generated client reads the response back to the same events.
for request in "$requests"/*.http; do
  "$wire" parse-request SelectObjectContent "$request" >"$request.json" || status=1
done
"$wire" response SelectObjectContent "$work/select.http" >"$work/select.parsed.json" || status=1
"${PYTHON:-python3}" - "$clients" "$requests" "$work/select.parsed.json" <<'PY' || status=1
import glob, json, sys
clients, requests, parsed = sys.argv[1:4]
want = json.load(open(f"{clients}/select_request.json"))
files = sorted(glob.glob(f"{requests}/*.http.json"))
if len(files) != 2:
    sys.exit(f"FAIL: expected 2 client requests, found {len(files)}")
for f in files:
    got = json.load(open(f))
    if got != want:
        sys.exit(f"FAIL s3-api parse-request {f}: {got} != {want}")
print(f"ok s3-api server side: both clients' requests read back as {clients}/select_request.json")
if json.load(open(parsed)) != json.load(open(f"{clients}/select_output.json")):
    sys.exit("FAIL s3-api client side: the response does not read back as select_output.json")
print("ok s3-api client side: the response reads back as select_output.json")
PY
if [ "$status" -ne 0 ]; then
  echo "error: the event-stream check failed" >&2
  exit 1
fi
echo "event stream: botocore, the JS SDK and s3-api agree ($(since "$started"))"
