# Showback: multi-stage image (docs/auth.md, docs/security-auth.md).
#   docker build -t showback .
#   docker run -e SESSION_SECRET="$(openssl rand -base64 48)" -p 3000:3000 -v showback-data:/app/data showback
# The server (`tsx scripts/serve.ts`) migrates the database at start. tsx is a
# production dependency: the runtime stage runs the TypeScript entry and the
# `npm run users` CLI without the dev toolchain.
ARG NODE_IMAGE=node:20.20-bookworm-slim

# ---- build: full dependencies, Remix/Vite build into /app/build
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# ---- production dependencies only
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# ---- runtime: no compilers, no dev dependencies, not root
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SHOWBACK_DATA_DIR=/app/data
WORKDIR /app
# Application files stay owned by root (read-only for the app user); only the data folder is writable.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY package.json package-lock.json tsconfig.json ./
COPY app ./app
COPY db ./db
COPY scripts ./scripts
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node as PID 1 (no npm wrapper) so SIGTERM reaches the server's clean shutdown.
CMD ["node", "--import", "tsx", "scripts/serve.ts"]
