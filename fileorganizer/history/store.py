"""The history store: the database, its runs, and the content-hash cache.

By default an embedded SQLite file (WAL mode, a busy timeout and
``synchronous=FULL``, so a commit is on disk when it returns: the executor's
intents are durable before the filesystem is touched, invariant 3), or a
PostgreSQL database several hosts share: same schema, same guarantees (the
engines are made in :mod:`fileorganizer.history.engines`).

Reading runs and operations is in :mod:`fileorganizer.history.queries`; the
executor's write path is :mod:`fileorganizer.history.journal`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, insert, inspect, select, update
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError

from fileorganizer.errors import HistoryError
from fileorganizer.history.engines import mask_url, shared_engine, shared_url, sqlite_engine
from fileorganizer.history.migrations import MIGRATIONS
from fileorganizer.history.models import (
    SCHEMA_VERSION,
    enc,
    hash_cache,
    metadata,
    operations,
    runs,
    schema_info,
    storable,
)
from fileorganizer.history.queries import HistoryQueries
from fileorganizer.history.records import OpState, RunInfo, RunMode, RunStatus
from fileorganizer.paths import StateDir, ensure_writable_dir

if TYPE_CHECKING:
    from fileorganizer.history.journal import RunJournal

__all__ = ["History", "mask_url", "shared_url"]


class History(HistoryQueries):
    """The history database. Also the planner's hash cache (``HashCache``).

    ``History()`` opens the default SQLite file of the user data directory
    (or ``$FILEORGANIZER_DATABASE_URL``); ``History(path)`` a SQLite file;
    ``History(url="postgresql+psycopg://…")`` a shared PostgreSQL one. It is
    created or migrated when opened. Use as a context manager or call
    :meth:`close`.
    """

    def __init__(
        self, db_path: str | os.PathLike[str] | None = None, *, url: str | None = None
    ) -> None:
        if db_path is None and url is None:
            from fileorganizer.paths import resolve_paths

            ap = resolve_paths()
            url = ap.database_url
            db_path = None if url else ap.db_path
        if url is not None and url.strip().lower().startswith("sqlite"):
            from fileorganizer.paths import sqlite_url_path

            db_path, url = sqlite_url_path(url), None
        self.url = url
        self.db_path: Path | None = Path(db_path) if db_path is not None and url is None else None
        #: how messages name this database (a URL's password masked)
        self.label = str(self.db_path) if self.db_path is not None else mask_url(url or "")
        if self.db_path is not None:
            try:
                ensure_writable_dir(self.db_path.parent, StateDir.HISTORY)
            except OSError as exc:
                raise HistoryError(
                    f"cannot create the history folder {self.db_path.parent}: {exc.strerror or exc}"
                ) from None
        self.engine = self._make_engine()
        self.dialect = self.engine.dialect.name
        #: a database server several hosts share (PostgreSQL), not a local file
        self.shared = self.dialect == "postgresql"
        #: The database's text encoding; always UTF-8 for a database this code created.
        self.text_encoding = "UTF-8"
        try:
            self._migrate()
            if self.dialect == "sqlite":
                with self.engine.connect() as conn:
                    self.text_encoding = str(conn.exec_driver_sql("PRAGMA encoding").scalar())
        except HistoryError:
            self.engine.dispose()
            raise
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            self.engine.dispose()
            raise HistoryError(self._unusable(exc)) from None

    def _scrub(self, exc: BaseException) -> str:
        """The first line of an error's text, never with the URL's password in it."""
        orig = getattr(exc, "orig", None) or exc
        why = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        if self.url:
            from sqlalchemy.engine import make_url

            try:
                parsed = make_url(self.url)
                secrets = [parsed.password, parsed.query.get("password")]
            except (SQLAlchemyError, ValueError):
                secrets = []
            for secret in secrets:
                if secret and isinstance(secret, str):
                    why = why.replace(secret, "***")
        return why

    def _unusable(self, exc: BaseException) -> str:
        why = self._scrub(exc)
        if self.db_path is not None:
            aside = f"{self.db_path}.broken"
            return (
                f"cannot use the history database {self.db_path}: {why}; "
                f"move it aside (mv '{self.db_path}' '{aside}') and a new one is made"
            )
        hint = ""
        if isinstance(exc, OperationalError):
            hint = " (check the server, and the URL of --db-url or $FILEORGANIZER_DATABASE_URL)"
        return f"cannot use the history database {self.label}: {why}{hint}"

    @classmethod
    def open(
        cls, db_path: str | os.PathLike[str] | None = None, *, url: str | None = None
    ) -> History:
        """Open (creating or migrating) the history at ``db_path`` or ``url``."""
        return cls(db_path, url=url)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- setup -----------------------------------------------------------
    def _make_engine(self) -> Engine:
        if self.db_path is None:
            assert self.url is not None
            try:
                return shared_engine(self.url)
            except (SQLAlchemyError, ValueError) as exc:
                raise HistoryError(f"bad database URL {self.label}: {self._scrub(exc)}") from None
        return sqlite_engine(self.db_path)

    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                # one migrating host at a time (a transaction-scoped advisory lock)
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7261626965)")
            if "schema_info" not in inspect(conn).get_table_names():
                metadata.create_all(conn)
                conn.execute(insert(schema_info).values(id=1, version=SCHEMA_VERSION))
                return
            version = conn.execute(
                select(schema_info.c.version).where(schema_info.c.id == 1)
            ).scalar()
            version = int(version or 0)
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"the history database {self.label} has schema version {version}; "
                    f"this fileorganizer understands up to {SCHEMA_VERSION} (upgrade it)"
                )
            while version < SCHEMA_VERSION:
                step = MIGRATIONS.get(version)
                if step is None:
                    raise HistoryError(f"no migration from history schema version {version}")
                step(conn)
                version += 1
                conn.execute(
                    update(schema_info).where(schema_info.c.id == 1).values(version=version)
                )

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self.transaction() as conn:
            return int(conn.execute(select(schema_info.c.version)).scalar_one())

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn a database error inside the block into :class:`HistoryError` (one line)."""
        try:
            yield
        except OperationalError as exc:
            orig = self._scrub(exc)
            if "disk is full" in orig or "No space left" in orig:
                raise HistoryError(
                    f"the history database {self.label} cannot be written: the disk is full"
                ) from None
            raise HistoryError(f"history database error ({self.label}): {orig}") from None
        except DatabaseError as exc:
            raise HistoryError(self._unusable(exc)) from None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed (durably) on success, else rolled back.

        A database error (locked, disk full, server gone, ...) raises :class:`HistoryError`.
        """
        with self.errors(), self.engine.begin() as conn:
            yield conn

    # -- runs --------------------------------------------------------------
    def start_run(
        self,
        mode: RunMode,
        *,
        config_path: str | None = None,
        config_hash: str | None = None,
        undo_of: int | None = None,
        planned: int = 0,
        note: str | None = None,
        session: str | None = None,
        locks: str | None = None,
    ) -> int:
        """Record the start of a run; return its id."""
        from fileorganizer.paths import host_id

        mode = RunMode(mode)
        with self.transaction() as conn:
            result = conn.execute(
                insert(runs).values(
                    mode=mode.value,
                    status=RunStatus.RUNNING.value,
                    started_at=datetime.now(),
                    config_path=enc(config_path),
                    config_hash=config_hash,
                    pid=os.getpid(),
                    host=host_id(),
                    session=session,
                    locks=locks,
                    undo_of=undo_of,
                    planned=planned,
                    note=storable(note),
                )
            )
            key = result.inserted_primary_key
            assert key is not None and key[0] is not None
            return int(key[0])

    def record_sim(
        self,
        *,
        config_path: str | None,
        config_hash: str | None,
        planned: int,
        problems: int,
    ) -> int:
        """Record a ``sim``: a run row with the plan's counts and no operations."""
        run_id = self.start_run(
            RunMode.SIM, config_path=config_path, config_hash=config_hash, planned=planned
        )
        with self.transaction() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    status=RunStatus.PLANNED.value, finished_at=datetime.now(), problems=problems
                )
            )
        return run_id

    def finish_run(
        self,
        run_id: int,
        *,
        problems: int = 0,
        status: RunStatus | None = None,
        planned_skips: int = 0,
    ) -> RunInfo:
        """Count the run's operations (as the journal says) and set its final status.

        ``planned_skips`` are files the plan itself left alone (a conflict
        policy ``skip``, an undo's refusals): they count as skipped.
        """
        ops = operations.c
        with self.transaction() as conn:
            counts: dict[str, int] = {
                state: int(n)
                for state, n in conn.execute(
                    select(ops.state, func.count()).where(ops.run_id == run_id).group_by(ops.state)
                )
            }
            row = conn.execute(
                select(runs.c.planned, runs.c.problems).where(runs.c.id == run_id)
            ).first()
            if row is None:
                raise HistoryError(f"no run {run_id}")
            failed = counts.get(OpState.FAILED, 0)
            problems = max(row.problems, problems)
            if status is None:
                status = RunStatus.FAILED if failed or problems else RunStatus.OK
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    done=counts.get(OpState.DONE, 0) + counts.get(OpState.UNDONE, 0),
                    skipped=counts.get(OpState.SKIPPED, 0) + planned_skips,
                    failed=failed,
                    planned=max(row.planned, sum(counts.values())),
                    problems=problems,
                    status=status.value,
                    finished_at=datetime.now(),
                )
            )
        return self.run(run_id)

    def set_run_status(self, run_id: int, status: RunStatus, note: str | None = None) -> None:
        """Change a run's status, adding ``note`` to its notes."""
        with self.transaction() as conn:
            old = conn.execute(select(runs.c.note).where(runs.c.id == run_id)).first()
            if old is not None:
                values: dict[str, Any] = {"status": RunStatus(status).value}
                if note:
                    values["note"] = storable(f"{old.note}; {note}" if old.note else note)
                conn.execute(update(runs).where(runs.c.id == run_id).values(**values))

    def journal(self, run_id: int, *, guard: Callable[[], None] | None = None) -> RunJournal:
        """The executor's journal for ``run_id``.

        ``guard`` is called before each batch of intents is written (the pass's
        lock check: a pass that lost its lock stops before touching more files).
        """
        from fileorganizer.history.journal import RunJournal

        return RunJournal(self, run_id, guard=guard)

    # -- hash cache (filters.base.HashCache) ----------------------------
    def get_hash(self, dev: int, ino: int, size: int, mtime_ns: int, algo: str) -> str | None:
        """A cached digest for this file identity, or None."""
        hc = hash_cache.c
        with self.transaction() as conn:
            found = conn.execute(
                select(hc.digest).where(
                    hc.dev == dev,
                    hc.ino == ino,
                    hc.size == size,
                    hc.mtime_ns == mtime_ns,
                    hc.algo == algo,
                )
            ).scalar()
            return None if found is None else str(found)

    def put_hash(
        self, dev: int, ino: int, size: int, mtime_ns: int, algo: str, digest: str
    ) -> None:
        """Remember a digest for this file identity."""
        from sqlalchemy.dialects import postgresql, sqlite

        values = {"dev": dev, "ino": ino, "size": size, "mtime_ns": mtime_ns, "algo": algo}
        # one statement: a new identity is inserted, a known one gets the new digest
        keys = list(hash_cache.primary_key.columns)
        stmt: Any
        if self.dialect == "postgresql":
            pg = postgresql.insert(hash_cache).values(digest=digest, **values)
            stmt = pg.on_conflict_do_update(
                index_elements=keys, set_={"digest": pg.excluded.digest}
            )
        else:
            lite = sqlite.insert(hash_cache).values(digest=digest, **values)
            stmt = lite.on_conflict_do_update(
                index_elements=keys, set_={"digest": lite.excluded.digest}
            )
        with self.transaction() as conn:
            conn.execute(stmt)
