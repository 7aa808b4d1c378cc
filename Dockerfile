# syntax=docker/dockerfile:1
# The snapcopy worker: `docker build -t snapcopy-worker .` (docker-compose.yml builds it as the worker).
# Debian-based node images: the Temporal SDK's native core is built for glibc, not Alpine's musl.
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: all dependencies, compile to lib/ and prebuild the workflow bundle, then drop dev deps ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies patches/ (patch-package, postinstall): the SDK's deadlock watchdog can then be off.
COPY patches patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-workflows.js scripts/
COPY src src
# `npm run build` = tsc (lib/worker.js, ...) + scripts/bundle-workflows.js (lib/workflow-bundle.js).
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies and lib/ only, as the unprivileged `node` user ---
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    SNAPCOPY_METRICS_PORT=9464
WORKDIR /app
# Owned by root, readable by all: the worker never writes to its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/lib lib
USER node
# Prometheus metrics (SNAPCOPY_METRICS_PORT).
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "lib/worker/healthcheck.js"]
# node itself is PID 1 and handles SIGTERM: the worker drains for SNAPCOPY_SHUTDOWN_GRACE (default 30s),
# so give `docker stop` / compose more than that (stop_grace_period).
CMD ["node", "lib/worker.js"]
