# The service image: built with the dev toolchain, run with production dependencies only.
# The Node version follows .nvmrc (a test keeps them equal).
ARG NODE_IMAGE=node:26.12.1-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
# Only src/ is copied, so only the service is compiled (with ReDoc's bundle beside its docs).
RUN npm run build

FROM ${NODE_IMAGE}
# tini as PID 1 forwards signals to node and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY config ./config
# The embedded database's folder (DATA_DIR=./data), owned by the user the service runs as; mount a
# volume here to keep its data.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# node directly, not npm: no shell between the signal and the service. The options are npm start's
# (docs/decisions/0076-v8-options-at-start.md).
CMD ["node", "--max-semi-space-size=32", "--v8-pool-size=1", "dist/src/main.js"]
