# fileorganizer container image: the watcher by default.
#
#   docker build -t fileorganizer .
#   docker run -d --name fileorganizer --init \
#     -v fileorganizer-data:/data -v "$HOME/Downloads:/files" fileorganizer
#
# With no rules file the watcher sorts /files by kind with the built-in rules. Mount
# rules at /config/config.yaml (they refer to folders under /files) to use yours.
# History, lock, heartbeat, logs and trash live in /data (or the history on PostgreSQL:
# FILEORGANIZER_DATABASE_URL, docs/recipes/fleet.md). See docs/recipes/docker.md.
#
# Build arguments:
#   BASE_IMAGE  any image with python3 (3.11 or later, with its venv module) and a
#               POSIX shell; the official Python image by default
#   UID, GID    the numeric ids the container runs as (default 1000:1000); ids that
#               already exist in the base (GID 0 or 20, ...) are used as they are

ARG BASE_IMAGE=python:3.12-slim-bookworm

# ---- build: a venv with fileorganizer and what it needs, and nothing else -------
FROM ${BASE_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY pyproject.toml README.md LICENSE.txt ./
COPY fileorganizer ./fileorganizer

# pip is in the venv only to install into it: it and setuptools leave before the copy.
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/python -m pip install --no-cache-dir ".[content,postgres]" \
    && /opt/venv/bin/python -m pip uninstall --yes pip setuptools \
    && /opt/venv/bin/fileorganizer --version

# ---- runtime: the base, the venv and a user; never runs as root ------------------
FROM ${BASE_IMAGE} AS runtime

LABEL org.opencontainers.image.title="fileorganizer" \
      org.opencontainers.image.description="Organize files by rules, with a preview that equals the run and an undo for every run." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/fileorganizer/fileorganizer"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/opt/venv/bin:${PATH}" \
    FILEORGANIZER_CONFIG_DIR=/config \
    FILEORGANIZER_DATA_DIR=/data \
    FILEORGANIZER_LOG_DIR=/data/logs \
    FILEORGANIZER_TRASH_DIR=/data/trash

COPY --from=build /opt/venv /opt/venv

ARG UID=1000
ARG GID=1000

# A name for the ids when the base has none (written directly: works on any base,
# with or without useradd), then the folders the tool owns.
RUN set -eu; \
    name=fileorganizer; \
    if grep -q "^${name}:" /etc/passwd /etc/group; then name="fileorganizer-${UID}"; fi; \
    if ! grep -q "^[^:]*:[^:]*:${GID}:" /etc/group; then \
        echo "${name}:x:${GID}:" >>/etc/group; \
    fi; \
    if ! grep -q "^[^:]*:[^:]*:${UID}:" /etc/passwd; then \
        echo "${name}:x:${UID}:${GID}:fileorganizer:/data:/usr/sbin/nologin" >>/etc/passwd; \
    fi; \
    mkdir -p /config /data/logs /data/trash /files; \
    chown "${UID}:${GID}" /config /data /data/logs /data/trash /files; \
    fileorganizer --version

USER ${UID}:${GID}
WORKDIR /files

VOLUME ["/data"]

# `status` exits 0 only while the watcher's heartbeat in /data is fresh and, seen from
# inside the container, its process is alive.
HEALTHCHECK --interval=60s --timeout=15s --start-period=2m --retries=3 \
    CMD ["fileorganizer", "status"]

# The watcher finishes the current operation and exits 0 on SIGTERM.
STOPSIGNAL SIGTERM

ENTRYPOINT ["fileorganizer"]
# The rules in /config/config.yaml when it exists, else the built-in rules over /files.
CMD ["watch", "--default-folder", "/files"]
