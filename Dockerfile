# syntax=docker/dockerfile:1
# One image for every node: SERVICES picks the role (api, orders or invoices).

# --- build: all dependencies, compile the TypeScript to dist/.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies, the compiled code, a non-root user.
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    SERVICEDIR=dist/services
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY docker/healthcheck.js ./docker/healthcheck.js
# Amazon RDS's CA bundle, so the AWS stack's database URLs can verify the server (sslmode=verify-full
# with NODE_EXTRA_CA_CERTS pointing here); unused locally. URL downloads are 0600 unless chmod-ed.
ADD --chmod=0644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
USER node
# The gateway listens on PORT (3000); orders and invoices talk only through the transporter.
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "docker/healthcheck.js"]
# moleculer-runner handles SIGTERM itself (graceful broker stop), so it can run as PID 1. The telemetry
# preload starts OpenTelemetry before http and pg are loaded (OTEL_SDK_DISABLED=true: not loaded at all).
# The V8 flags are scripts/moleculer-node.ts's: a heap sized for the node, not for the host.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=100", "--require", "./dist/scripts/telemetry.js", "node_modules/moleculer/bin/moleculer-runner.js", "--config", "dist/moleculer.config.js"]
