#!/usr/bin/env bash
# Every test: lint, typecheck and unit tests in parallel, then integration and end-to-end tests
# (each Jest run starts its own throwaway nats-server, PostgreSQL and rtpengine).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true
start=$(date +%s)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "== [1/3] lint, typecheck, unit tests"
npx nx run-many -t lint typecheck test --parallel=2 --outputStyle=static --skip-nx-cache 2>&1 | tee -a "$out"
echo "== [2/3] build"
node tools/build/build.mjs
echo "== [3/3] integration and end-to-end tests (real NATS, PostgreSQL, rtpengine, SIPp)"
npx nx run-many -t int --parallel=1 --outputStyle=static --skip-nx-cache 2>&1 | tee -a "$out"
leaked=$(ps -eo args | grep -E '(nats-server|postgres|rtpengine).*pbx-test-' | grep -v grep || true)
if [ -n "$leaked" ]; then echo "leaked test processes:"; echo "$leaked"; exit 1; fi
echo "== all tests passed in $(( $(date +%s) - start )) s"
# One closing line over every Jest run (each prints its own "Tests: …" summary).
sed 's/\x1b\[[0-9;]*m//g' "$out" | awk '/^Tests:/ { for (i = 2; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^skipped/) s += $i } }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
