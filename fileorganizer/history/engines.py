"""Making the history's engine: a local SQLite file, or a shared PostgreSQL server.

- :func:`sqlite_engine`: WAL mode, a busy timeout and ``synchronous=FULL`` (a commit
  is on disk when it returns);
- :func:`shared_engine`: PostgreSQL through psycopg 3, each session with
  ``synchronous_commit=on`` (a commit is durable on the server when it returns,
  whatever the server's default) and an application name naming the host and
  process.

Either way the executor's intents are durable before the filesystem is touched
(invariant 3). :func:`mask_url` is how messages and logs show a URL.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from fileorganizer.errors import HistoryError, MissingExtraError

BUSY_TIMEOUT_MS = 30_000
#: How long opening a connection to a database server may take.
CONNECT_TIMEOUT_S = 10


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    from fileorganizer.paths import mask_password

    return mask_password(url.strip())


#: The drivers a shared history may use (``postgresql://`` means psycopg 3).
_PG_NAMES = ("postgresql", "postgres", "postgresql+psycopg", "postgres+psycopg")


def shared_url(url: str) -> URL:
    """``url`` as the engine gets it: PostgreSQL through psycopg 3, or a one-line error."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url.strip())
    except (SQLAlchemyError, ValueError):
        raise HistoryError(
            f"bad database URL '{mask_url(url)}': expected "
            "postgresql+psycopg://USER:PASSWORD@HOST[:PORT]/DATABASE"
        ) from None
    name = parsed.drivername.lower()
    if name not in _PG_NAMES:
        backend, _, driver = name.partition("+")
        if backend in ("postgresql", "postgres"):
            raise HistoryError(
                f"database URL {mask_url(url)}: the driver {driver!r} is not supported; "
                "use postgresql+psycopg:// (pip install 'fileorganizer[postgres]')"
            )
        raise HistoryError(
            f"database URL {mask_url(url)}: {backend!r} is not supported; the history is "
            "a SQLite file (the default, or --db FILE) or a PostgreSQL database "
            "(postgresql+psycopg://USER:PASSWORD@HOST/DATABASE)"
        )
    return parsed.set(drivername="postgresql+psycopg")


def _pg_connect_args(url: URL) -> dict[str, Any]:
    """Session settings of every connection to a shared history.

    ``synchronous_commit=on``: a commit is durable on the server when it
    returns, whatever the server's default (invariant 3, as ``synchronous=FULL``
    on SQLite). The application name tells an administrator which host and
    process a connection is (``pg_stat_activity``).
    """
    from fileorganizer.paths import host_id

    query = url.query
    options = str(query.get("options", "") or "")
    args: dict[str, Any] = {"options": f"{options} -c synchronous_commit=on".strip()}
    if "connect_timeout" not in query:
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in query:
        args["application_name"] = f"fileorganizer {host_id()}:{os.getpid()}"[:63]
    return args


def shared_engine(url: str) -> Engine:
    """An engine for a shared history at ``url`` (connects only when first used)."""
    parsed = shared_url(url)
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args=_pg_connect_args(parsed))
    except ImportError as exc:
        raise MissingExtraError("a PostgreSQL history", "postgres", exc.name or "psycopg") from None


def sqlite_engine(path: str | os.PathLike[str]) -> Engine:
    """An engine for the SQLite file at ``path`` (WAL, busy timeout, ``synchronous=FULL``)."""
    where = os.fspath(path)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(where, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine
