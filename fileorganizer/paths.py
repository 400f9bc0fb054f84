"""Where config, data (history DB, lock, trash fallback) and logs live.

Computed when asked, never a module-level singleton: tests and callers pass
an :class:`AppPaths` or set the environment variables.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import platformdirs

from fileorganizer.errors import HistoryError, UnwritableDirError

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
    trash = Path(trash_dir).expanduser() if trash_dir is not None else default_trash_dir(env)
    # an explicit SQLite file (``--db``) wins over a URL from the environment
    given = database_url or ("" if db_path is not None else env.get(ENV_DATABASE_URL, ""))
    url: str | None = given.strip() or None
    if url is not None and url.lower().startswith("sqlite"):
        db_path, url = sqlite_url_path(url), None
    db = pick(db_path, ENV_DB, data / "history.sqlite")
    return AppPaths(
        config_dir=cfg,
        data_dir=data,
        log_dir=logs,
        db_path=db,
        trash_dir=trash,
        database_url=url,
    )


def sqlite_url_path(url: str) -> Path:
    """The file of a ``sqlite:///FILE`` URL (``sqlite:////abs/path`` for an absolute one).

    A SQLite URL names the embedded history file, as ``--db`` does; an
    in-memory database would forget every run, so it is refused.
    """
    head, sep, rest = url.strip().partition(":///")
    path = rest.split("?", 1)[0]
    if not sep or head.lower().split("+", 1)[0] != "sqlite" or path in ("", ":memory:"):
        raise HistoryError(
            f"database URL {url.split('?', 1)[0]!r} names no SQLite file: write "
            "sqlite:///relative/file.sqlite or sqlite:////absolute/file.sqlite (or use --db FILE)"
        )
    return Path(path).expanduser()


def mask_password(url: str) -> str:
    """``url`` with its password (``user:PASSWORD@``, ``password=`` in the query) as ``***``.

    For messages and logs; needs no database library.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc, slash, tail = rest.partition("/")
    if "@" in netloc:
        creds, _, host = netloc.rpartition("@")
        user, colon, _secret = creds.partition(":")
        netloc = f"{user}:***@{host}" if colon else f"{creds}@{host}"
    path, qmark, query = tail.partition("?")
    if qmark:
        words = query.split("&")
        for i, word in enumerate(words):
            key, eq, _value = word.partition("=")
            if eq and key.lower() == "password":
                words[i] = f"{key}=***"
        query = "&".join(words)
    return f"{scheme}://{netloc}{slash}{path}{qmark}{query}"


def host_id(env: Mapping[str, str] | None = None) -> str:
    """This host's name in the history: ``$FILEORGANIZER_HOST_ID``, else the hostname."""
    env = os.environ if env is None else env
    given = env.get(ENV_HOST_ID, "").strip()
    if given:
        return given
    import socket

    return socket.gethostname() or "localhost"


class StateDir(StrEnum):
    """The tool's own folders, by the name messages give them."""

    DATA = "data folder"
    LOG = "log folder"
    TRASH = "trash folder"
    HISTORY = "history folder"

    @property
    def elsewhere(self) -> str:
        """How to point the tool at another folder of this kind."""
        if self is StateDir.HISTORY:
            return f"set {ENV_DB} to a file in a folder that user can write"
        var = {StateDir.DATA: ENV_DATA_DIR, StateDir.LOG: ENV_LOG_DIR}.get(self, ENV_TRASH_DIR)
        return f"set {var} to a folder that user can write"


#: errors that mean "this user may not write here"
_UNWRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else -1


def unwritable_dir_error(path: Path, kind: StateDir, *, read_only: bool) -> UnwritableDirError:
    """The one-line error for a folder of the tool's own that it cannot write."""
    uid = _uid()
    if read_only:
        why, fix = "read-only file system", "mount a writable volume there"
    else:
        why = "permission denied"
        if path.exists():
            fix = f"make it writable for that user (chown -R {uid} {path}), run as its owner"
        else:  # (never advise changing the owner of a parent: it may be / or a home)
            parent = _nearest_existing(path)
            fix = (
                f"create it for that user (mkdir -p {path} && chown {uid} {path}, "
                f"as the owner of {parent}), run as a user who can write there"
            )
    return UnwritableDirError(
        f"cannot write to the {kind} {path} as user id {uid} ({why}): {fix}, or {kind.elsewhere}",
        path=path,
        uid=uid,
        kind=kind.value,
    )


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def ensure_writable_dir(path: Path, kind: StateDir, *, create: bool = True) -> Path:
    """Make sure this user can create files in ``path``, one of the tool's own folders.

    With ``create``, the folder is made (with its parents); without, it need
    only be creatable (its nearest existing ancestor writable). Raises
    :class:`~fileorganizer.errors.UnwritableDirError` (exit code 73) when it is
    not; other errors (a file where the folder should be) pass through.
    """
    path = Path(path)
    with writing_in(path, kind):
        if create:
            path.mkdir(parents=True, exist_ok=True)
    probe = path if create else _nearest_existing(path)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise unwritable_dir_error(path, kind, read_only=_read_only(probe))
    return path


@contextmanager
def writing_in(path: Path, kind: StateDir) -> Iterator[None]:
    """Turn a permission or read-only error inside the block into ``UnwritableDirError``."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _UNWRITABLE:
            raise
        raise unwritable_dir_error(
            Path(path), kind, read_only=exc.errno == errno.EROFS or _read_only(Path(path))
        ) from None
