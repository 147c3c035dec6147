# One image for the broker, the site agent and its CLI (docker-compose.yml picks the command).
# Build: docker build -t feasibility-broker .

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
COPY tools ./tools
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node docs/examples ./docs/examples
# Mount points owned by the runtime user, so named volumes start writable for it.
RUN mkdir -p /var/lib/fq/broker /var/lib/fq/data /var/lib/fq/state /var/lib/fq/network \
  && chown -R node:node /var/lib/fq
USER node
# Both apps print one JSON log line per event to stdout and stop gracefully on SIGTERM.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/broker/apps/broker/src/main.js"]
