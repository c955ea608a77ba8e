#!/usr/bin/env bash
# Writes the GraphQL schema of each function as SDL into schema/<function>.graphql.
# A test (tests/schema.rs) fails whenever the code and these files drift.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_SCHEMA=1 cargo test --quiet -p integration-tests --test integration -- schema::committed_sdl_matches_the_code
git status --short schema/
