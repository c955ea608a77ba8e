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
start_moto "$MOTO_PORT"
export_local_aws "$DDB_PORT" "$SES_PORT" "$MOTO_PORT"

log "cargo test"
cargo test --workspace "$@"
# The heavy tests (thousands of customers and their index entries) run
# afterwards, one at a time: beside the others they would slow DynamoDB
# Local for every test. A filtered run (with arguments) leaves them out unless it
# adds `--include-ignored`.
# They get a DynamoDB Local of their own: the suite leaves hundreds of
# tables and their streams in the first one, which slows it down.
if [ $# -eq 0 ]; then
  kill "$DDB_PID" 2>/dev/null || true
  DDB_PORT=$(free_port)
  log "the heavy tests, alone, on a fresh DynamoDB Local on :$DDB_PORT"
  start_dynamodb "$DDB_PORT"
  export_local_aws "$DDB_PORT" "$SES_PORT" "$MOTO_PORT"
  cargo test -p integration-tests --test integration -- --ignored --test-threads=1
fi
