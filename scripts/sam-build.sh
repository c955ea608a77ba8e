#!/usr/bin/env bash
# Builds every function as `sam build` does for a deployment (release
# profile, rust-cargolambda, x86_64), then lists the packages and their sizes.
set -euo pipefail
source "$(dirname "$0")/stack.sh"
cd "$ROOT"
ensure_cargo_lambda
ensure_deploy_tools
"$DEPLOY_TOOLS/bin/sam" build --beta-features --template template.yaml "$@"
for f in .aws-sam/build/*Function/bootstrap; do
  printf '%-45s %s bytes\n' "$f" "$(stat -c %s "$f")"
done
