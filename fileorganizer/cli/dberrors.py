"""An unusable history database as one line and an exit code (corrupt, unreadable, full)."""

from __future__ import annotations

import errno
import os
import re
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fileorganizer.cli.common import EXIT_USAGE, fail
from fileorganizer.paths import AppPaths

EXIT_IOERR = 74  # sysexits EX_IOERR: the disk holding the history is full


_DB_NOISE = (
    re.compile(r"\s*\(Background on this error at: [^)]*\)"),
    re.compile(r"\((?:sqlite3|psycopg2?|sqlalchemy)[.\w]*\)\s*"),
)


_DISK_FULL = ("database or disk is full", "no space left on device")


_UNREADABLE = (
    "file is not a database",
    "malformed",
    "file is encrypted",
    "unable to open database file",
    "disk i/o error",
    "no such table",
)


def _db_reason(exc: BaseException) -> str:
    """The root cause of a database error, without SQLAlchemy's decoration."""
    seen: BaseException | None = exc
    reason = str(exc)
    while seen is not None:
        if isinstance(seen, sqlite3.Error | OSError):
            reason = str(seen)
            break
        orig = getattr(seen, "orig", None)
        if isinstance(orig, BaseException):
            reason = str(orig)
            break
        seen = seen.__cause__ or seen.__context__
    for noise in _DB_NOISE:
        reason = noise.sub(" ", reason)
    return " ".join(reason.split())


def history_message(exc: BaseException, db_path: Path, url: str | None = None) -> tuple[str, int]:
    """One line (and an exit code) for a history database that cannot be used.

    ``url`` is the shared history's URL, if one is in use (shown masked).
    """
    from fileorganizer.paths import mask_password

    reason = _db_reason(exc)
    low = reason.lower()
    where = mask_password(url) if url else str(db_path)
    if any(k in low for k in _DISK_FULL):
        return (
            f"no space left for the history database {where}: free some space on its disk "
            "and run again (what was done so far is recorded; an unfinished run is "
            "reconciled on the next start)",
            EXIT_IOERR,
        )
    if url is None and any(k in low for k in _UNREADABLE):
        q = shlex.quote(str(db_path))
        return (
            f"the history database {db_path} cannot be read ({reason}); move it aside with "
            f"'mv {q} {q}.broken' and run again (a new, empty history is started)",
            EXIT_USAGE,
        )
    text = str(exc)
    for noise in _DB_NOISE:
        text = noise.sub(" ", text)
    return " ".join(text.split()), EXIT_USAGE


def _is_db_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("sqlalchemy")


@contextmanager
def history_errors(paths: AppPaths) -> Iterator[None]:
    """Turn an unusable history (corrupt, unreadable, disk full) into one line and a code."""
    from fileorganizer.errors import HistoryError

    try:
        yield
    except HistoryError as exc:
        message, code = history_message(exc, paths.db_path, paths.database_url)
        fail(message, code)
    except OSError as exc:
        if exc.errno != errno.ENOSPC or not _under(exc.filename, paths):
            raise
        message, code = history_message(exc, paths.db_path, paths.database_url)
        fail(message, code)
    except Exception as exc:
        if not _is_db_error(exc):
            raise
        message, code = history_message(exc, paths.db_path, paths.database_url)
        fail(message, code)


def _under(filename: object, paths: AppPaths) -> bool:
    if not isinstance(filename, str | bytes | os.PathLike):
        return False
    name = os.path.abspath(os.fsdecode(filename))
    roots = (paths.data_dir, paths.db_path.parent)
    return any(name == str(r) or name.startswith(str(r.absolute()) + os.sep) for r in roots)
