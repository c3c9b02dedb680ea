#!/usr/bin/env bash
# Every test: lint, typecheck and unit tests in parallel, then integration and end-to-end tests
# (each Jest run starts its own throwaway nats-server, PostgreSQL and rtpengine).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true
start=$(date +%s)
echo "== [1/3] lint, typecheck, unit tests"
npx nx run-many -t lint typecheck test --parallel=2 --outputStyle=static --skip-nx-cache
echo "== [2/3] build"
node tools/build/build.mjs
echo "== [3/3] integration and end-to-end tests (real NATS, PostgreSQL, rtpengine, SIPp)"
npx nx run-many -t int --parallel=1 --outputStyle=static --skip-nx-cache
leaked=$(ps -eo args | grep -E '(nats-server|postgres|rtpengine).*pbx-test-' | grep -v grep || true)
if [ -n "$leaked" ]; then echo "leaked test processes:"; echo "$leaked"; exit 1; fi
echo "== all tests passed in $(( $(date +%s) - start )) s"
