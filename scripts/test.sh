#!/usr/bin/env bash
# Runs every test: formatting and lints, the deployment template checks,
# unit tests, and the integration and end-to-end tests against DynamoDB
# Local, the SES emulator, moto (EventBridge and SQS: customer events) and
# `cargo lambda watch`, all started here on free ports.
set -euo pipefail
source "$(dirname "$0")/stack.sh"
cd "$ROOT"

ensure_node_packages
ensure_cargo_lambda
ensure_deploy_tools
ensure_moto

log "template.yaml: cfn-lint and sam validate --lint"
"$DEPLOY_TOOLS/bin/cfn-lint" template.yaml
"$DEPLOY_TOOLS/bin/sam" validate --lint --region us-east-1 --template template.yaml

# Every type, field, argument, input field and enum value of the committed
# SDL is described, and the connections follow the Relay spec (the schema
# test keeps schema/*.graphql equal to what the code serves).
log "graphql-schema-linter: descriptions and Relay connections in schema/*.graphql"
SCHEMA_RULES=types-have-descriptions,fields-have-descriptions,arguments-have-descriptions,input-object-values-have-descriptions,enum-values-have-descriptions,relay-connection-types-spec,relay-connection-arguments-spec
for schema in schema/*.graphql; do # one at a time: the linter merges the files it is given
  rules=$SCHEMA_RULES
  # PageInfo's own rule wherever there are connections (it demands a
  # PageInfo even of a schema without any: subscriptions has none).
  if grep -q '^type PageInfo ' "$schema"; then rules+=,relay-page-info-spec; fi
  "$LOCAL_DIR/node_modules/.bin/graphql-schema-linter" --format compact --rules "$rules" "$schema"
done

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The benchmark's load-test and peer driver, compiled so that it never rots (it runs in bench.sh).
python3 -c "import ast; ast.parse(open('bench/peer.py').read(), 'bench/peer.py')"
python3 -c "import ast; ast.parse(open('bench/mail_path.py').read(), 'bench/mail_path.py')"
# The local event bus's setup and reader (dev.sh, events.sh), likewise.
python3 -c "import ast; ast.parse(open('scripts/events.py').read(), 'scripts/events.py')"

export STACK_LOG_DIR="$ROOT/target/stack-logs"
mkdir -p "$STACK_LOG_DIR"
trap stop_stack EXIT
DDB_PORT=$(free_port)
SES_PORT=$(free_port)
MOTO_PORT=$(free_port)
log "starting DynamoDB Local on :$DDB_PORT, the SES emulator on :$SES_PORT and moto on :$MOTO_PORT"
start_dynamodb "$DDB_PORT"
DDB_PID=${PIDS[-1]}
start_ses "$SES_PORT"
# S3 takes multipart parts of 5 MiB (but the last); the tests' exports
# write parts of a few KiB, so that a handful of customers spans several.
S3_UPLOAD_PART_MIN_SIZE=4096 MOTO_S3_DEFAULT_KEY_BUFFER_SIZE=16777216 start_moto "$MOTO_PORT"
export_local_aws "$DDB_PORT" "$SES_PORT" "$MOTO_PORT"

log "cargo test"
cargo test --workspace "$@"
# The heavy tests (thousands of customers and their index entries) run
# afterwards, one at a time, each on a DynamoDB Local of its own: beside the
# others they would slow DynamoDB Local for every test, and the tables and
# streams a test leaves slow the next one (measured: the backfill test takes
# 72 s on a fresh one, over 8 minutes after the others). A filtered run (with
# arguments) leaves them out unless it adds `--include-ignored`.
if [ $# -eq 0 ]; then
  HEAVY=(--test integration -p integration-tests)
  mapfile -t heavy < <(cargo test "${HEAVY[@]}" -- --ignored --list --format terse 2>/dev/null | sed -n 's/: test$//p')
  [ ${#heavy[@]} -gt 0 ] || { echo "listing the heavy tests found none" >&2; exit 1; }
  for name in "${heavy[@]}"; do
    kill "$DDB_PID" 2>/dev/null || true
    DDB_PORT=$(free_port)
    log "heavy: $name (DynamoDB Local on :$DDB_PORT)"
    start_dynamodb "$DDB_PORT"
    DDB_PID=${PIDS[-1]}
    export_local_aws "$DDB_PORT" "$SES_PORT" "$MOTO_PORT"
    cargo test "${HEAVY[@]}" -- --ignored --exact "$name"
  done
fi
