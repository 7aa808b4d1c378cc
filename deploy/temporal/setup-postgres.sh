#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (run by the `temporal-schema` service, image
# temporalio/admin-tools, before the server starts). Idempotent: on a database that already has a schema,
# update-schema is a no-op (or applies the versions a newer server image brings), so every
# `docker compose up` can run it against the persistent volume.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$PORT" "$@"; }

setup() {
  db="$1"
  dir="$SCHEMA_ROOT/$2/versioned"
  if out=$(sql --db "$db" update-schema -d "$dir" 2>&1); then
    echo "database $db: schema up to date"
    return
  fi
  # Only a missing database or schema_version table means "new": anything else (the database not
  # answering, a failed migration) must stop here rather than run setup-schema over existing tables.
  case "$out" in
    *"does not exist"*) echo "database $db: creating" ;;
    *)
      echo "$out" >&2
      exit 1
      ;;
  esac
  # Fails harmlessly when the database exists but has no schema yet (an interrupted first run).
  sql --db "$db" create || true
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$dir"
}

setup temporal temporal
setup temporal_visibility visibility
echo "PostgreSQL schema ready"
