# Switchboard's container image (docs/container.md). Two stages on one base:
#   build:   npm ci, the production build (scripts/build.mjs), then the dev dependencies pruned;
#   runtime: Debian's Chromium and fonts, the build and the production node_modules, a non-root user.
#
# BASE_IMAGE is any Debian-based image with Node >= 20.19 on PATH: by default the official Node image;
# the container test (scripts/container-test.sh) passes one made locally from Debian's packages.
ARG BASE_IMAGE=node:22-trixie-slim

FROM ${BASE_IMAGE} AS build
# A base from Debian's nodejs package has no npm (the official image has): Debian's npm then.
# better-sqlite3 compiles from source where no prebuilt binary can be downloaded: python3, make, g++.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && if ! command -v npm >/dev/null; then apt-get install -y --no-install-recommends npm libnode-dev; fi \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PUPPETEER_SKIP_DOWNLOAD=true
COPY package.json package-lock.json ./
COPY scripts/gen-pg-schema.mjs scripts/
COPY prisma prisma
COPY prisma.config.ts ./
# A CA bundle for npm behind a TLS-intercepting proxy: the path of a PEM file inside the build context
# (a whole bundle is too long for a build argument's value). Empty, the default: the image's own CAs
# (package.json is copied in its place, unused, since a COPY cannot be skipped).
# Debian's Node keeps its headers in /usr/include/node: node-gyp then uses them instead of downloading them.
ARG NPM_CA_BUNDLE=""
COPY ${NPM_CA_BUNDLE:-package.json} /tmp/npm-ca.pem
RUN if [ -n "$NPM_CA_BUNDLE" ]; then export npm_config_cafile=/tmp/npm-ca.pem NODE_EXTRA_CA_CERTS=/tmp/npm-ca.pem; fi \
 && if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi \
 && npm ci --no-audit --no-fund \
 && rm -f /tmp/npm-ca.pem
COPY . .
# Then what runs in production: no dev dependencies, and no optional ones either: those are Next's SWC
# compilers and sharp's libvips (build and image optimisation only) and the dev tools that other packages
# list as optional peers (typescript, prisma's CLI), about 400 MB in all.
RUN node scripts/build.mjs \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund \
 && rm -rf .next/cache

FROM ${BASE_IMAGE} AS runtime
# tini as PID 1 reaps Chromium's orphaned helpers and hands SIGTERM to the server.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates chromium fonts-liberation fonts-noto-color-emoji tini \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --create-home --home-dir /home/switchboard --shell /usr/sbin/nologin switchboard \
 && install -d -o switchboard -g switchboard -m 700 /data
WORKDIR /app
COPY --from=build /app/package.json /app/next.config.mjs ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/generated generated
COPY --from=build /app/prisma prisma
COPY --from=build /app/.next .next
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    SWITCHBOARD_DATA_DIR=/data
USER switchboard
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || process.env.WHATSAPP_API_PORT || 3000}/ping`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The compiled server itself (no npm in between): SIGTERM stops every session and their Chromium, then exits 0.
CMD ["node", ".next/switchboard-server.mjs"]
