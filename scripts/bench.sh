#!/usr/bin/env bash
# The benchmark suite: release-builds the five functions, a hello-world floor
# binary and the bench, starts DynamoDB Local and the SES emulator on free
# ports, runs `customer-bench` (cold start, round trips and capacity per
# operation, latency and overhead, Argon2id cost, the TLS handshake), adds
# package sizes, then the peer comparison (`bench/peer.py`: the functions
# under load, peak RSS, and Vendure's shop API side by side when
# PEER_VENDURE_DIR names a checkout of the peer's benchmark), and
# writes it all to BENCHMARKS.md. Numbers only: nothing here passes or fails.
set -euo pipefail
source "$(dirname "$0")/stack.sh"
cd "$ROOT"
ensure_node_packages

ensure_cargo_lambda
export_release_codegen

# `./scripts/bench.sh search`: the search section alone (10,000 and then
# 100,000 customers in DynamoDB Local), put in place of BENCHMARKS.md's.
if [ "${1:-}" = search ]; then
  log "release build of the bench"
  cargo lambda build --release --quiet --bin customer-bench
  export STACK_LOG_DIR="$ROOT/target/stack-logs"
  mkdir -p "$STACK_LOG_DIR"
  trap stop_stack EXIT
  DDB_PORT=$(free_port)
  start_dynamodb "$DDB_PORT"
  # No SES emulator: the search bench sends no mail (the port is a placeholder).
  export_local_aws "$DDB_PORT" "$(free_port)"
  export RUST_LOG=warn
  log "search at 10,000 and 100,000 customers"
  "$ROOT/target/lambda/customer-bench/bootstrap" search >"$ROOT/target/bench-search.md"
  python3 - "$ROOT/target/bench-search.md" <<'PY'
import re, sys
section = open(sys.argv[1]).read().strip() + "\n"
doc = open("BENCHMARKS.md").read()
# The section runs from its heading to the next one of its level (or the end).
match = re.search(r"^## Search\n.*?(?=^## |\Z)", doc, flags=re.S | re.M)
doc = doc[: match.start()] + section + "\n" + doc[match.end():] if match else doc.rstrip() + "\n\n" + section
open("BENCHMARKS.md", "w").write(doc)
PY
  exit 0
fi
# The same build `sam build` makes (cargo lambda, release profile, x86_64),
# so the numbers are those of the deployed packages and the two share a cache.
log "release build of every binary with cargo lambda"
cargo lambda build --release --quiet --bins
BIN="$ROOT/target/lambda"

export STACK_LOG_DIR="$ROOT/target/stack-logs"
mkdir -p "$STACK_LOG_DIR"
trap stop_stack EXIT
DDB_PORT=$(free_port)
start_dynamodb "$DDB_PORT"
SES_PORT=$(free_port)
start_ses "$SES_PORT"
export_local_aws "$DDB_PORT" "$SES_PORT"
export RUST_LOG=warn

log "running the benchmarks"
FIGURES="$ROOT/target/bench-figures.json"
BENCH_FIGURES="$FIGURES" BENCH_BIN_DIR="$BIN" "$BIN/customer-bench/bootstrap"

log "package sizes"
python3 - <<'PY' | tee -a BENCHMARKS.md
import io, os, zipfile
print("\n## Package size\n")
print("The release binary (stripped by the profile) and the zip SAM uploads (`bootstrap`, deflate level 9).\n")
print("| function | binary MB | zip MB |")
print("|---|---|---|")
for f in ["auth", "account", "subscriptions", "admin", "events", "hello"]:
    path = os.path.join("target", "lambda", f, "bootstrap")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(path, "bootstrap")
    print(f"| {f} | {os.path.getsize(path) / 1e6:.2f} | {len(buf.getvalue()) / 1e6:.2f} |")
PY

log "the functions under load, and the peer"
export TABLE_NAME="peer-$(date +%s)"
"$BIN/customer-ctl/bootstrap" create-table
PEER_SRC=${PEER_VENDURE_DIR:-}
PEER_ARGS=(--figures "$FIGURES" --markdown BENCHMARKS.md)
if [ -n "$PEER_SRC" ] && [ -f "$PEER_SRC/bench.py" ]; then
  # A writable copy (the peer's bench writes its database and logs beside itself).
  PEER="$ROOT/target/peers/vendure"
  mkdir -p "$PEER"
  cp "$PEER_SRC"/*.js "$PEER_SRC"/*.py "$PEER_SRC"/package.json "$PEER"/
  [ -d "$PEER/node_modules/@vendure/core" ] || (cd "$PEER" && npm install --no-audit --no-fund --loglevel=error)
  PEER_ARGS+=(--vendure-dir "$PEER")
else
  log "no Vendure peer (PEER_VENDURE_DIR${PEER_SRC:+ = $PEER_SRC}): the load test runs without it"
fi
python3 bench/peer.py --bin-dir "$BIN" --json "$ROOT/target/peer-ours.json" "${PEER_ARGS[@]}"
