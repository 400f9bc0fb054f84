# syntax=docker/dockerfile:1
#
# fileorganizer container image: the watcher by default.
#
#   docker build -t fileorganizer .
#   docker run -d --name fileorganizer \
#     -v "$PWD/config:/config" -v fileorganizer-data:/data \
#     -v "$HOME/Downloads:/files/Downloads" fileorganizer
#
# Rules live in /config/config.yaml and refer to folders under /files. History,
# lock, heartbeat, logs and trash live in /data. See docs/recipes/docker.md.

ARG PYTHON_VERSION=3.12

# ---- build: a wheel of fileorganizer and of everything it needs ----------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY pyproject.toml README.md LICENSE.txt ./
COPY fileorganizer ./fileorganizer
RUN python -m pip wheel --wheel-dir /wheels ".[content]"

# ---- runtime: a venv with only the wheels, run as a non-root user --------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime

ARG UID=1000
ARG GID=1000

LABEL org.opencontainers.image.title="fileorganizer" \
      org.opencontainers.image.description="Organize files by rules, with a preview that equals the run and an undo for every run." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/fileorganizer/fileorganizer"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH="/opt/venv/bin:${PATH}" \
    FILEORGANIZER_CONFIG_DIR=/config \
    FILEORGANIZER_DATA_DIR=/data \
    FILEORGANIZER_LOG_DIR=/data/logs \
    FILEORGANIZER_TRASH_DIR=/data/trash

RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && /opt/venv/bin/python -m pip install --no-cache-dir --no-index \
        --find-links /wheels "fileorganizer[content]" \
    && groupadd --gid "${GID}" app \
    && useradd --uid "${UID}" --gid "${GID}" --create-home --shell /usr/sbin/nologin app \
    && mkdir -p /config /data/logs /data/trash /files \
    && chown -R app:app /config /data /files \
    && fileorganizer --version

USER app
WORKDIR /files

VOLUME ["/config", "/data"]

# `status` exits 0 only while the watcher's heartbeat in /data is fresh.
HEALTHCHECK --interval=60s --timeout=15s --start-period=2m --retries=3 \
    CMD ["fileorganizer", "status"]

# The watcher finishes the current operation and exits 0 on SIGTERM.
STOPSIGNAL SIGTERM

ENTRYPOINT ["fileorganizer"]
CMD ["watch"]
