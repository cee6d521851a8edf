FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# eSpeak NG runs on Debian's libespeak-ng about four times faster than on the embedded build
# (ESPEAK_LIBRARY=auto finds it; without it the embedded build speaks the same voices), and the
# resampler on libspeexdsp about 1.5x faster than its WebAssembly build (the same samples) and,
# for eSpeak's pieces, on libsoxr 2.5-8x faster still.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libespeak-ng1 libspeexdsp1 libsoxr0 \
    && rm -rf /var/lib/apt/lists/*
# The festival engine (TTS_ENGINE=festival, or an ENGINES_FILE entry) runs Debian's festival:
# build with --build-arg WITH_FESTIVAL=1 to include it (about 40 MB); without it such an engine
# reports itself down and synthesis on it answers 503.
ARG WITH_FESTIVAL=0
RUN if [ "$WITH_FESTIVAL" = "1" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends festival festvox-us-slt-hts \
      && rm -rf /var/lib/apt/lists/*; \
    fi
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 8000
# exec form: signals reach node directly, so SIGTERM shuts down cleanly.
CMD ["node", "dist/apps/api/src/main.js"]
