# reportbot in a container: `docker build -t reportbot .`, then see
# docs/slack.md ("Running in Docker") for the `docker run` line.
#
# The Debian package lists live in deps/ only; both stages install exactly
# what those files list (tests/integration/slack/dockerfile.test.js checks).

# ---- build stage: compilers and -dev packages from deps/build.txt ----
FROM debian:bookworm-slim AS build
COPY deps/build.txt /tmp/deps/build.txt
RUN apt-get update \
 && grep -v '^#' /tmp/deps/build.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY deps/pkg-config.txt deps/pkg-config.txt
COPY common common
COPY bot bot
COPY commands commands
COPY store store
RUN make reportbot && strip reportbot

# ---- runtime stage: the binary and its shared libraries only ----
FROM debian:bookworm-slim
COPY deps/runtime.txt /tmp/deps/runtime.txt
RUN apt-get update \
 && grep -v '^#' /tmp/deps/runtime.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/deps \
 && useradd --system --uid 10001 --home-dir /var/lib/reportbot --create-home --shell /usr/sbin/nologin reportbot
COPY --from=build /src/reportbot /usr/local/bin/reportbot
# The config (and the commands/ folder it names) are mounted read-only;
# history.db and temporary CSVs go to the data volume. Tokens come from
# the environment: SLACK_APP_TOKEN, SLACK_BOT_TOKEN.
ENV REPORTBOT_CONFIG=/etc/reportbot/config.toml
WORKDIR /var/lib/reportbot
VOLUME /var/lib/reportbot
USER reportbot
ENTRYPOINT ["/usr/local/bin/reportbot"]
CMD ["serve"]
