#!/usr/bin/env bash
# Mail on and off the request path, before and after: release-builds `auth`
# at a baseline revision (default b2cd50f, the last one that called SES inside
# the request) in a git worktree under target/, sharing this target dir's
# dependencies, and `auth` of the working tree; starts DynamoDB Local and the
# SES emulator; runs bench/mail_path.py, which appends its section to
# BENCHMARKS.md. Numbers only. Usage: ./scripts/bench-mail-path.sh [REV]
set -euo pipefail
source "$(dirname "$0")/stack.sh"
cd "$ROOT"
BASELINE=${1:-b2cd50f}
ensure_node_packages
ensure_cargo_lambda
export_release_codegen

WORKTREE="$ROOT/target/baseline-src"
rm -rf "$WORKTREE"
git worktree prune
git worktree add --detach --quiet "$WORKTREE" "$BASELINE"
trap 'git worktree remove --force "$WORKTREE"' EXIT
log "release build of auth at $BASELINE"
(cd "$WORKTREE" && CARGO_TARGET_DIR="$ROOT/target" cargo lambda build --release --quiet --bin auth)
mkdir -p target/baseline/auth
cp target/lambda/auth/bootstrap target/baseline/auth/bootstrap
log "release build of auth and customer-ctl here"
cargo lambda build --release --quiet --bin auth --bin customer-ctl

export STACK_LOG_DIR="$ROOT/target/stack-logs"
mkdir -p "$STACK_LOG_DIR"
trap 'stop_stack; git worktree remove --force "$WORKTREE"' EXIT
DDB_PORT=$(free_port)
start_dynamodb "$DDB_PORT"
SES_PORT=$(free_port)
start_ses "$SES_PORT"
SES_PID=${PIDS[-1]}
export_local_aws "$DDB_PORT" "$SES_PORT"

log "registerCustomer and requestPasswordReset, $BASELINE against this revision"
python3 bench/mail_path.py --before target/baseline --after target/lambda --baseline "$BASELINE" \
  --ctl target/lambda/customer-ctl/bootstrap --ses-pid "$SES_PID" \
  --json target/mail-path.json --markdown BENCHMARKS.md
