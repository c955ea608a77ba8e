#!/usr/bin/env bash
# Builds every function as `sam build` does for a deployment (release
# profile, rust-cargolambda, x86_64) with the code-generation flags of
# stack.sh, then lists the packages and their sizes.
set -euo pipefail
source "$(dirname "$0")/stack.sh"
cd "$ROOT"
ensure_cargo_lambda
ensure_deploy_tools
export_release_codegen
"$DEPLOY_TOOLS/bin/sam" build --beta-features --template template.yaml "$@"
for f in .aws-sam/build/*Function/bootstrap; do
  printf '%-45s %s bytes\n' "$f" "$(stat -c %s "$f")"
done
