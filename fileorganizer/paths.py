"""Where config, data (history DB, lock, trash fallback) and logs live.

Computed when asked, never a module-level singleton: tests and callers pass
an :class:`AppPaths` or set the environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "fileorganizer"
CONFIG_FILENAME = "config.yaml"

ENV_CONFIG = "FILEORGANIZER_CONFIG"
ENV_CONFIG_DIR = "FILEORGANIZER_CONFIG_DIR"
ENV_DATA_DIR = "FILEORGANIZER_DATA_DIR"
ENV_LOG_DIR = "FILEORGANIZER_LOG_DIR"
ENV_DB = "FILEORGANIZER_DB"
ENV_TRASH_DIR = "FILEORGANIZER_TRASH_DIR"
ENV_DATABASE_URL = "FILEORGANIZER_DATABASE_URL"
ENV_HOST_ID = "FILEORGANIZER_HOST_ID"


@dataclass(frozen=True)
class AppPaths:
    """The directories and files the tool owns. It never organizes these."""

    config_dir: Path
    data_dir: Path
    log_dir: Path
    db_path: Path
    trash_dir: Path
    #: an SQLAlchemy URL of a shared history database (None: the SQLite file ``db_path``)
    database_url: str | None = None

    @property
    def config_file(self) -> Path:
        """The default rules file in the user config dir."""
        return self.config_dir / CONFIG_FILENAME

    @property
    def lock_path(self) -> Path:
        """The single-writer lock file (never deleted)."""
        return self.data_dir / "fileorganizer.lock"

    @property
    def log_file(self) -> Path:
        """The rotating log file of the watcher."""
        return self.log_dir / "fileorganizer.log"

    @property
    def heartbeat_path(self) -> Path:
        """The file the watcher touches to show it is alive."""
        return self.data_dir / "watch.heartbeat"

    def own_paths(self) -> tuple[Path, ...]:
        """Paths the tool must never move, rename or delete (invariant 10)."""
        return (self.config_dir, self.data_dir, self.log_dir, self.db_path, self.trash_dir)


def default_trash_dir(env: Mapping[str, str] | None = None) -> Path:
    """The freedesktop.org home trash: ``$XDG_DATA_HOME/Trash``."""
    env = os.environ if env is None else env
    if env.get(ENV_TRASH_DIR):
        return Path(env[ENV_TRASH_DIR]).expanduser()
    xdg = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "Trash"


def resolve_paths(
    *,
    config_dir: Path | None = None,
    data_dir: Path | None = None,
    log_dir: Path | None = None,
    db_path: Path | None = None,
    trash_dir: Path | None = None,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> AppPaths:
    """Compute the tool's paths: arguments win, then env vars, then platformdirs."""
    env = os.environ if env is None else env

    def pick(arg: Path | None, var: str, default: str | Path) -> Path:
        if arg is not None:
            return Path(arg).expanduser()
        if env.get(var):
            return Path(env[var]).expanduser()
        return Path(default)

    cfg = pick(config_dir, ENV_CONFIG_DIR, platformdirs.user_config_dir(APP_NAME))
    data = pick(data_dir, ENV_DATA_DIR, platformdirs.user_data_dir(APP_NAME))
    logs = pick(log_dir, ENV_LOG_DIR, platformdirs.user_log_dir(APP_NAME))
    db = pick(db_path, ENV_DB, data / "history.sqlite")
    trash = Path(trash_dir).expanduser() if trash_dir is not None else default_trash_dir(env)
    url = database_url or env.get(ENV_DATABASE_URL) or None
    return AppPaths(
        config_dir=cfg,
        data_dir=data,
        log_dir=logs,
        db_path=db,
        trash_dir=trash,
        database_url=url,
    )


def host_id(env: Mapping[str, str] | None = None) -> str:
    """This host's name in the history: ``$FILEORGANIZER_HOST_ID``, else the hostname."""
    env = os.environ if env is None else env
    given = env.get(ENV_HOST_ID, "").strip()
    if given:
        return given
    import socket

    return socket.gethostname() or "localhost"
