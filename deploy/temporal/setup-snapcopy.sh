#!/bin/sh
# One-shot setup of the compose Temporal server for snapcopy (run by the `temporal-setup` service, image
# temporalio/admin-tools): the namespace, then snapcopy's custom search attributes
# (src/shared/search-attributes.ts), which the workflow upserts and which must exist before it runs.
# Idempotent: anything already there is left alone, so every `docker compose up` can run it.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required (e.g. temporal:7233)}"
: "${SNAPCOPY_SEARCH_ATTRIBUTES:?SNAPCOPY_SEARCH_ATTRIBUTES is required: space-separated Name=Type pairs}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-7d}"
MAX_ATTEMPTS="${SETUP_MAX_ATTEMPTS:-60}"

t() { temporal "$@" --address "$TEMPORAL_ADDRESS"; }

# Retries a command: right after start-up the server answers before every service is ready.
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      echo "gave up after $MAX_ATTEMPTS attempts: $*" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

echo "waiting for Temporal at $TEMPORAL_ADDRESS"
retry t operator cluster health >/dev/null

if t operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  echo "creating namespace $NAMESPACE (retention $RETENTION)"
  retry t operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
fi

# A new namespace takes a moment to be known to every service: list until it answers.
existing=""
list_existing() { existing=$(t operator search-attribute list --namespace "$NAMESPACE"); }
retry list_existing

for pair in $SNAPCOPY_SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if printf '%s\n' "$existing" | grep -qw -- "$name"; then
    echo "search attribute $name exists"
  else
    echo "creating search attribute $name ($type)"
    retry t operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "snapcopy setup done: namespace $NAMESPACE, search attributes: $SNAPCOPY_SEARCH_ATTRIBUTES"
