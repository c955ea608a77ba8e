#!/usr/bin/env bash
# Runs the API locally: DynamoDB Local (data kept under .local/), the SES
# emulator, moto (EventBridge: the bus `customers`, whose events a catch-all
# rule puts into the SQS queue `customer-events`; ./scripts/events.sh prints
# them; S3 and SQS: the imports' bucket and queue), the table, `cargo lambda
# watch` serving all six functions (the four GraphQL ones with GraphiQL),
# the relay that feeds the table's stream to the events function, and the
# one that feeds the imports queue to the imports function. Ctrl-C stops
# everything.
set -euo pipefail
source "$(dirname "$0")/stack.sh"
cd "$ROOT"

DDB_PORT=${DYNAMODB_PORT:-8000}
SES_PORT=${SES_PORT:-8005}
MOTO_PORT=${MOTO_PORT:-8010}
API_PORT=${API_PORT:-9000}
SHOP_URL=${SHOP_URL:-http://localhost:3000}

ensure_node_packages
ensure_cargo_lambda
ensure_moto

mkdir -p .local
export STACK_LOG_DIR="$ROOT/.local"
trap stop_stack EXIT
log "starting DynamoDB Local on :$DDB_PORT (data in .local/dynamodb), the SES emulator on :$SES_PORT and moto on :$MOTO_PORT"
start_dynamodb "$DDB_PORT" "$ROOT/.local/dynamodb"
start_ses "$SES_PORT"
start_moto "$MOTO_PORT"
export_local_aws "$DDB_PORT" "$SES_PORT" "$MOTO_PORT"

# The customer events' bus, and a queue that receives all of them (moto
# keeps nothing across restarts: made anew each time).
export EVENT_BUS_NAME=customers
MOTO_PORT=$MOTO_PORT EVENTS_QUEUE=customer-events "$MOTO_DIR/bin/python" scripts/events.py setup

# Imports: the bucket their files go to and the queue of their tasks.
export IMPORTS_BUCKET=customer-imports
IMPORTS_QUEUE_URL=$(MOTO_PORT=$MOTO_PORT "$MOTO_DIR/bin/python" scripts/imports_setup.py "$IMPORTS_BUCKET" customer-imports)
export IMPORTS_QUEUE_URL

export TABLE_NAME=customers
log "creating the table (unless it exists)"
cargo run --quiet -p customer-ctl -- create-table

# A development Ed25519 key pair for access tokens, made once and kept with
# the dev data (sessions survive restarts). Deployed, only auth and account
# get the private key (from Secrets Manager) and subscriptions the public key;
# `cargo lambda watch` gives all five functions this one environment, so here
# every function sees both, and each reads only what it needs (admin: nothing).
if [ ! -s .local/jwt-private-key ] || [ ! -s .local/jwt-public-key ]; then
  log "generating the local access-token key pair (.local/jwt-private-key, .local/jwt-public-key)"
  keys=$(cargo run --quiet -p customer-ctl -- jwt-key generate)
  (umask 077 && awk '$1 == "private" { print $2 }' <<<"$keys" > .local/jwt-private-key)
  awk '$1 == "public" { print $2 }' <<<"$keys" > .local/jwt-public-key
  unset keys
  [ -s .local/jwt-private-key ] && [ -s .local/jwt-public-key ] || { log "customer-ctl jwt-key generate failed"; exit 1; }
fi
rm -f .local/jwt-secret # the HS256 secret of earlier versions
cat > .local/functions.env <<ENV
AWS_REGION=$AWS_REGION
AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
AWS_ENDPOINT_URL_DYNAMODB=$AWS_ENDPOINT_URL_DYNAMODB
AWS_ENDPOINT_URL_SESV2=$AWS_ENDPOINT_URL_SESV2
AWS_ENDPOINT_URL_EVENTBRIDGE=$AWS_ENDPOINT_URL_EVENTBRIDGE
AWS_ENDPOINT_URL_SQS=$AWS_ENDPOINT_URL_SQS
AWS_ENDPOINT_URL_S3=$AWS_ENDPOINT_URL_S3
IMPORTS_BUCKET=$IMPORTS_BUCKET
IMPORTS_QUEUE_URL=$IMPORTS_QUEUE_URL
TABLE_NAME=$TABLE_NAME
EVENT_BUS_NAME=$EVENT_BUS_NAME
EVENT_SOURCE=customer-api
JWT_PRIVATE_KEYS=$(cat .local/jwt-private-key)
JWT_PUBLIC_KEYS=$(cat .local/jwt-public-key)
GRAPHIQL=true
PUBLIC_API_URL=http://localhost:$API_PORT/lambda-url
MAIL_FROM=shop@localhost
TENANTS='{"*":{"name":"Local Shop","allowedUrls":["$SHOP_URL/"],"confirmEmailUrl":"$SHOP_URL/confirm-email","resetPasswordUrl":"$SHOP_URL/reset-password","contactEmail":"service@shop.localhost","defaultCountryCode":"GB","currencyCode":"EUR","loyalty":{"pointsPerUnit":1,"stampsPerOrder":1},"attributes":[{"key":"loyaltyTier","type":"STRING","writableBy":"BACK_OFFICE","visibleToCustomer":true},{"key":"internalScore","type":"INT","writableBy":"BACK_OFFICE","visibleToCustomer":false},{"key":"favouriteColour","type":"STRING","writableBy":"CUSTOMER","visibleToCustomer":true}],"undefinedAttributes":"ALLOW"}}'
RUST_LOG=info
ENV

# The table's stream goes to the events function as Lambda's event source
# mapping would hand it over (`customer-ctl relay`):
# from now on (LATEST), so that the records of earlier sessions are not
# relayed again. It keeps trying until `cargo lambda watch` below serves.
# Two readers, as deployed: the changes, and the outbox's mail apart, so
# that mail never waits behind a burst of changes (an import).
INVOKE_URL="http://127.0.0.1:$API_PORT/2015-03-31/functions/events/invocations"
log "starting the stream relays to $INVOKE_URL (logs in .local/relay.log, .local/mail-relay.log)"
cargo run --quiet -p customer-ctl -- relay --from latest --only changes --invoke-url "$INVOKE_URL" >.local/relay.log 2>&1 &
PIDS+=($!)
cargo run --quiet -p customer-ctl -- relay --from latest --only mail --invoke-url "$INVOKE_URL" >.local/mail-relay.log 2>&1 &
PIDS+=($!)
# The imports queue goes to the imports function as Lambda's SQS event
# source mapping would hand it over (`customer-ctl queue-relay`).
IMPORTS_INVOKE_URL="http://127.0.0.1:$API_PORT/2015-03-31/functions/imports/invocations"
log "starting the imports queue relay to $IMPORTS_INVOKE_URL (log in .local/queue-relay.log)"
cargo run --quiet -p customer-ctl -- queue-relay --queue-url "$IMPORTS_QUEUE_URL" --invoke-url "$IMPORTS_INVOKE_URL" \
  >.local/queue-relay.log 2>&1 &
PIDS+=($!)

cat <<MSG

  GraphiQL and GraphQL endpoints (header x-tenant-id picks the shop, default "default"):
    auth           http://localhost:$API_PORT/lambda-url/auth/graphql
    account        http://localhost:$API_PORT/lambda-url/account/graphql
    subscriptions  http://localhost:$API_PORT/lambda-url/subscriptions/graphql
    admin          http://localhost:$API_PORT/lambda-url/admin/graphql
  Mail inbox (everything the events function sends from the outbox):
    http://localhost:$SES_PORT/
  Customer events (published to the bus $EVENT_BUS_NAME, read from the queue customer-events):
    ./scripts/events.sh [--follow] [--compact]
  Stream relays (table changes, and mail apart -> the events function): .local/relay.log, .local/mail-relay.log
  Imports (customer-ctl import; queue -> the imports function): .local/queue-relay.log
  Each function compiles on its first request.

MSG
cargo lambda watch --invoke-port "$API_PORT" --env-file .local/functions.env
