#!/usr/bin/env bash
# Prints the customer events that the local stack (scripts/dev.sh) published,
# as JSON, oldest first, taking them off the queue `customer-events` that a
# catch-all rule on the bus `customers` feeds (in moto, on $MOTO_PORT, 8010).
#   ./scripts/events.sh              what arrived so far
#   ./scripts/events.sh --follow     and keep waiting for more (Ctrl-C ends)
#   ./scripts/events.sh --compact    one line per event (for jq and grep)
set -euo pipefail
source "$(dirname "$0")/stack.sh"
cd "$ROOT"

if [ ! -x "$MOTO_DIR/bin/python" ]; then
  echo "moto is not installed: start the local stack with ./scripts/dev.sh first" >&2
  exit 1
fi
export MOTO_PORT=${MOTO_PORT:-8010}
if ! (exec 3<>"/dev/tcp/127.0.0.1/$MOTO_PORT") 2>/dev/null; then
  echo "nothing listens on :$MOTO_PORT: start the local stack with ./scripts/dev.sh first" >&2
  exit 1
fi
exec "$MOTO_DIR/bin/python" "$ROOT/scripts/events.py" print "$@"
