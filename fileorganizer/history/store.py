"""The history store: one SQLite file, runs and their operations, the hash cache.

SQLite runs in WAL mode with a busy timeout and ``synchronous=FULL``, so a
commit is on disk when it returns: the executor's intents are durable before
the filesystem is touched (invariant 3). Intents are committed a batch at a
time, so a large run pays one sync per batch, not per file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Row, create_engine, event, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DatabaseError, OperationalError

from fileorganizer.errors import HistoryError
from fileorganizer.history.models import (
    FS_ENCODING,
    FS_ERRORS,
    PLANNED_WHERE,
    SCHEMA_VERSION,
    UNDONE_WHERE,
    dec,
    dec_list,
    enc,
    enc_list,
    hash_cache,
    metadata,
    operations,
    runs,
    schema_info,
)
from fileorganizer.operations import Identity, Intent, OpKind, OpResult, OpStatus

#: Operation states in the journal.
PLANNED = "planned"
DONE = "done"
FAILED = "failed"
SKIPPED = "skipped"
UNDONE = "undone"

#: Run statuses.
RUNNING = "running"
OK = "ok"
WITH_FAILURES = "failed"
INTERRUPTED = "interrupted"
SIM = "planned"

MODES = ("run", "sim", "watch", "undo")

BUSY_TIMEOUT_MS = 30_000


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """Version 2: partial indexes on ``state`` instead of a full one.

    The full index on ``operations.state`` cost every insert and every result
    update an index write; the only lookups by state are for unfinished intents
    (recovery) and for undone operations (counts in ``history``). Idempotent, so
    an interrupted migration can simply run again.
    """
    conn.execute("DROP INDEX IF EXISTS ix_operations_state")
    conn.execute(
        "CREATE INDEX IF NOT EXISTS ix_operations_planned ON operations (state) "
        f"WHERE {PLANNED_WHERE}"
    )
    conn.execute(
        "CREATE INDEX IF NOT EXISTS ix_operations_undone ON operations (run_id) "
        f"WHERE {UNDONE_WHERE}"
    )


#: Schema migrations: ``MIGRATIONS[n]`` takes a database from version n to n+1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2}


@dataclass(frozen=True)
class RunInfo:
    """A run as ``history`` shows it."""

    id: int
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    config_path: str | None
    config_hash: str | None
    undo_of: int | None
    planned: int
    done: int
    skipped: int
    failed: int
    problems: int
    undone: int = 0
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "id": self.id,
            "mode": self.mode,
            "status": self.status,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds")
            if self.finished_at
            else None,
            "config_path": self.config_path,
            "config_hash": self.config_hash,
            "undo_of": self.undo_of,
            "planned": self.planned,
            "done": self.done,
            "skipped": self.skipped,
            "failed": self.failed,
            "problems": self.problems,
            "undone": self.undone,
            "note": self.note,
        }


@dataclass(frozen=True)
class OpRecord:
    """One journaled operation, paths decoded back to ``str``."""

    id: int
    run_id: int
    seq: int
    ord: int
    op_id: str
    kind: str
    rule: str
    action: str
    state: str
    src: str
    planned_dst: str | None
    dst: str | None
    temp_path: str | None
    trash_path: str | None
    same_as: str | None
    identity: Identity | None
    check_inode: bool
    identity_after: Identity | None
    created_dirs: list[str] = field(default_factory=list)
    error: str | None = None
    reason: str | None = None
    note: str | None = None
    undone_by: int | None = None
    reverses: int | None = None

    @property
    def target(self) -> str | None:
        """Where the file went: the trash path for a trash, else the destination."""
        return self.trash_path if self.kind == "trash" else (self.dst or self.planned_dst)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "id": self.id,
            "seq": self.seq,
            "op_id": self.op_id,
            "kind": self.kind,
            "rule": self.rule,
            "action": self.action,
            "state": self.state,
            "src": self.src,
            "dst": self.dst or self.planned_dst,
            "trash_path": self.trash_path,
            "error": self.error,
            "reason": self.reason,
            "note": self.note,
            "undone_by": self.undone_by,
            "reversible": self.kind != "delete",
        }


def _identity(
    dev: int | None, ino: int | None, size: int | None, mt: int | None
) -> Identity | None:
    if dev is None or ino is None or size is None or mt is None:
        return None
    return Identity(dev, ino, size, mt)


def op_record(row: Row[Any]) -> OpRecord:
    """Convert a row of ``operations`` (all columns) to an :class:`OpRecord`."""
    src = dec(row.src)
    assert src is not None
    return OpRecord(
        id=row.id,
        run_id=row.run_id,
        seq=row.seq,
        ord=row.ord,
        op_id=row.op_id,
        kind=row.kind,
        rule=row.rule,
        action=row.action,
        state=row.state,
        src=src,
        planned_dst=dec(row.planned_dst),
        dst=dec(row.dst),
        temp_path=dec(row.temp_path),
        trash_path=dec(row.trash_path),
        same_as=dec(row.same_as),
        identity=_identity(row.src_dev, row.src_ino, row.src_size, row.src_mtime_ns),
        check_inode=row.check_inode,
        identity_after=_identity(row.after_dev, row.after_ino, row.after_size, row.after_mtime_ns),
        created_dirs=dec_list(row.created_dirs),
        error=row.error,
        reason=row.reason,
        note=row.note,
        undone_by=row.undone_by,
        reverses=row.reverses,
    )


#: The columns of ``operations`` in table order (as :func:`_op_record_tuple` reads them).
_OP_COLUMNS = tuple(c.name for c in operations.columns)
_OP_COLUMN_LIST = ", ".join(_OP_COLUMNS)
_ID, _ORD = _OP_COLUMNS.index("id"), _OP_COLUMNS.index("ord")
_MAX_INT = 2**63 - 1


def _op_record_tuple(row: Sequence[Any]) -> OpRecord:
    """An :class:`OpRecord` from a driver row of ``SELECT _OP_COLUMN_LIST``."""
    (
        id_,
        run_id,
        seq,
        ord_,
        op_id,
        kind,
        rule,
        action,
        state,
        src,
        planned_dst,
        dst,
        temp_path,
        trash_path,
        same_as,
        src_dev,
        src_ino,
        src_size,
        src_mtime_ns,
        check_inode,
        after_dev,
        after_ino,
        after_size,
        after_mtime_ns,
        created_dirs,
        error,
        reason,
        note,
        undone_by,
        reverses,
    ) = row
    return OpRecord(
        id=id_,
        run_id=run_id,
        seq=seq,
        ord=ord_,
        op_id=op_id,
        kind=kind,
        rule=rule,
        action=action,
        state=state,
        src=os.fsdecode(src),
        planned_dst=None if planned_dst is None else os.fsdecode(planned_dst),
        dst=None if dst is None else os.fsdecode(dst),
        temp_path=None if temp_path is None else os.fsdecode(temp_path),
        trash_path=None if trash_path is None else os.fsdecode(trash_path),
        same_as=None if same_as is None else os.fsdecode(same_as),
        identity=_identity(src_dev, src_ino, src_size, src_mtime_ns),
        check_inode=bool(check_inode),
        identity_after=_identity(after_dev, after_ino, after_size, after_mtime_ns),
        created_dirs=dec_list(created_dirs),
        error=error,
        reason=reason,
        note=note,
        undone_by=undone_by,
        reverses=reverses,
    )


def _new_id(key: Any) -> int:
    """The id of a row just inserted (``CursorResult.inserted_primary_key``)."""
    assert key is not None and key[0] is not None
    return int(key[0])


def identity_columns(prefix: str, ident: Identity | None) -> dict[str, int | None]:
    """Column values for an identity (``src_`` or ``after_`` prefix)."""
    if ident is None:
        return {
            f"{prefix}dev": None,
            f"{prefix}ino": None,
            f"{prefix}size": None,
            f"{prefix}mtime_ns": None,
        }
    return {
        f"{prefix}dev": ident.dev,
        f"{prefix}ino": ident.ino,
        f"{prefix}size": ident.size,
        f"{prefix}mtime_ns": ident.mtime_ns,
    }


UpdateBatch = tuple[str, Sequence[tuple[Any, dict[str, Any]]]]


class History:
    """The history database. Also the planner's hash cache (``HashCache``).

    Open with ``History()`` (the default database: ``$FILEORGANIZER_DB`` or the
    user data dir, as the CLI uses), ``History(path)`` or
    ``History.open(app_paths.db_path)``; use as a context manager or call
    :meth:`close`.
    """

    def __init__(self, db_path: str | os.PathLike[str] | None = None) -> None:
        if db_path is None:
            from fileorganizer.paths import resolve_paths

            db_path = resolve_paths().db_path
        self.db_path = Path(db_path)
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(
                f"cannot create the history folder {self.db_path.parent}: {exc}"
            ) from None
        self.engine = self._make_engine()
        #: The database's text encoding (``PRAGMA encoding``); always UTF-8 for
        #: a database this code created.
        self.text_encoding = "UTF-8"
        try:
            self._migrate()
            with self.engine.connect() as conn:
                self.text_encoding = str(conn.exec_driver_sql("PRAGMA encoding").scalar())
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            self.engine.dispose()
            raise HistoryError(f"cannot open the history database {self.db_path}: {exc}") from None

    @classmethod
    def open(cls, db_path: str | os.PathLike[str] | None = None) -> History:
        """Open (creating or migrating) the history at ``db_path`` (default: the user's)."""
        return cls(db_path)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- setup -----------------------------------------------------------
    def _make_engine(self) -> Engine:
        path = os.fspath(self.db_path)

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

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

    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            tables = set(
                conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
                .scalars()
                .all()
            )
            if "schema_info" not in tables:
                metadata.create_all(conn)
                conn.execute(insert(schema_info).values(id=1, version=SCHEMA_VERSION))
                return
            version = conn.execute(
                select(schema_info.c.version).where(schema_info.c.id == 1)
            ).scalar()
            version = int(version or 0)
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"the history database {self.db_path} has schema version {version}; "
                    f"this fileorganizer understands up to {SCHEMA_VERSION} (upgrade it)"
                )
            while version < SCHEMA_VERSION:
                step = MIGRATIONS.get(version)
                if step is None:
                    raise HistoryError(f"no migration from history schema version {version}")
                step(conn.connection.dbapi_connection)  # type: ignore[arg-type]
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
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction: committed (durably) on success, else rolled back.

        A database error (locked, disk full, ...) raises :class:`HistoryError`.
        """
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise HistoryError(f"history database error ({self.db_path}): {exc.orig}") from None

    #: The former name of :meth:`transaction` (it yielded an ORM ``Session``;
    #: now a Core ``Connection``, which has the same ``execute``).
    session = transaction

    # -- runs --------------------------------------------------------------
    def start_run(
        self,
        mode: str,
        *,
        config_path: str | None = None,
        config_hash: str | None = None,
        undo_of: int | None = None,
        planned: int = 0,
        note: str | None = None,
    ) -> int:
        """Record the start of a run; return its id."""
        if mode not in MODES:
            raise ValueError(f"unknown run mode {mode!r}")
        with self.transaction() as conn:
            result = conn.execute(
                insert(runs).values(
                    mode=mode,
                    status=RUNNING,
                    started_at=datetime.now(),
                    config_path=enc(config_path),
                    config_hash=config_hash,
                    pid=os.getpid(),
                    undo_of=undo_of,
                    planned=planned,
                    note=note,
                )
            )
            return _new_id(result.inserted_primary_key)

    def record_sim(
        self,
        *,
        config_path: str | None,
        config_hash: str | None,
        planned: int,
        problems: int,
    ) -> int:
        """Record a ``sim``: a run row with the plan's counts and no operations."""
        with self.transaction() as conn:
            now = datetime.now()
            result = conn.execute(
                insert(runs).values(
                    mode="sim",
                    status=SIM,
                    started_at=now,
                    finished_at=now,
                    config_path=enc(config_path),
                    config_hash=config_hash,
                    pid=os.getpid(),
                    planned=planned,
                    problems=problems,
                )
            )
            return _new_id(result.inserted_primary_key)

    def finish_run(self, run_id: int, *, problems: int = 0, status: str | None = None) -> RunInfo:
        """Count the run's operations and set its final status."""
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
            failed = counts.get(FAILED, 0)
            problems = max(row.problems, problems)
            if status is None:
                status = WITH_FAILURES if failed or problems else OK
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    done=counts.get(DONE, 0) + counts.get(UNDONE, 0),
                    skipped=counts.get(SKIPPED, 0),
                    failed=failed,
                    planned=max(row.planned, sum(counts.values())),
                    problems=problems,
                    status=status,
                    finished_at=datetime.now(),
                )
            )
        return self.run(run_id)

    def set_run_status(self, run_id: int, status: str, note: str | None = None) -> None:
        """Change a run's status (used by recovery)."""
        with self.transaction() as conn:
            old = conn.execute(select(runs.c.note).where(runs.c.id == run_id)).first()
            if old is not None:
                values: dict[str, Any] = {"status": status}
                if note:
                    values["note"] = f"{old.note}; {note}" if old.note else note
                conn.execute(update(runs).where(runs.c.id == run_id).values(**values))

    def _run_info(self, conn: Connection, row: Row[Any]) -> RunInfo:
        ops = operations.c
        undone = conn.execute(
            select(func.count()).where(ops.run_id == row.id, ops.state == UNDONE)
        ).scalar_one()
        return RunInfo(
            id=row.id,
            mode=row.mode,
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            config_path=dec(row.config_path),
            config_hash=row.config_hash,
            undo_of=row.undo_of,
            planned=row.planned,
            done=row.done,
            skipped=row.skipped,
            failed=row.failed,
            problems=row.problems,
            undone=int(undone),
            note=row.note,
        )

    def run(self, run_id: int) -> RunInfo:
        """One run; raises :class:`HistoryError` if there is none."""
        with self.transaction() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
            if row is None:
                raise HistoryError(f"there is no run {run_id} in the history")
            return self._run_info(conn, row)

    def runs(
        self,
        limit: int | None = 20,
        *,
        modes: Sequence[str] | None = None,
        since: datetime | None = None,
    ) -> list[RunInfo]:
        """The most recent runs, newest first (of ``modes``, started at or after ``since``)."""
        with self.transaction() as conn:
            q = select(runs).order_by(runs.c.id.desc())
            if modes:
                q = q.where(runs.c.mode.in_(list(modes)))
            if since is not None:
                q = q.where(runs.c.started_at >= since)
            if limit:
                q = q.limit(limit)
            return [self._run_info(conn, r) for r in conn.execute(q).all()]

    def unfinished_runs(self) -> list[RunInfo]:
        """Runs still marked running (their process died, if no one holds the lock)."""
        with self.transaction() as conn:
            rows = conn.execute(select(runs).where(runs.c.status == RUNNING)).all()
            return [self._run_info(conn, r) for r in rows]

    def operations(self, run_id: int, *, states: Sequence[str] | None = None) -> list[OpRecord]:
        """A run's operations in execution order."""
        ops = operations.c
        with self.transaction() as conn:
            q = select(operations).where(ops.run_id == run_id).order_by(ops.ord, ops.id)
            if states:
                q = q.where(ops.state.in_(list(states)))
            return [op_record(r) for r in conn.execute(q)]

    def iter_operations(
        self,
        run_id: int,
        *,
        states: Sequence[str] | None = None,
        newest_first: bool = False,
        batch: int = 500,
    ) -> Iterator[list[OpRecord]]:
        """A run's operations in execution order (or newest first), ``batch`` at a time.

        Each page is read in its own short transaction and continues after the
        last row of the one before (by ``ord`` and ``id``), so the caller may
        change rows in between without rows being skipped or read twice.
        """
        op, cmp = ("<", "DESC") if newest_first else (">", "ASC")
        where = f"run_id = ? AND (ord, id) {op} (?, ?)"
        params: list[Any] = []
        if states:
            where += f" AND state IN ({', '.join('?' * len(states))})"
            params.extend(states)
        sql = (
            f"SELECT {_OP_COLUMN_LIST} FROM operations WHERE {where} "
            f"ORDER BY ord {cmp}, id {cmp} LIMIT ?"
        )
        after = (_MAX_INT, _MAX_INT) if newest_first else (-_MAX_INT, -_MAX_INT)
        while True:
            with self.transaction() as conn:
                cur = conn.connection.cursor()
                try:
                    cur.execute(sql, (run_id, *after, *params, batch))
                    rows = cur.fetchall()
                finally:
                    cur.close()
            if not rows:
                return
            yield [_op_record_tuple(r) for r in rows]
            if len(rows) < batch:
                return
            last = rows[-1]
            after = (last[_ORD], last[_ID])

    def count_operations(
        self,
        run_id: int,
        *,
        states: Sequence[str] | None = None,
        exclude_kinds: Sequence[str] = (),
    ) -> int:
        """How many of a run's operations are in ``states`` and not of ``exclude_kinds``."""
        ops = operations.c
        q = select(func.count()).where(ops.run_id == run_id)
        if states:
            q = q.where(ops.state.in_(list(states)))
        if exclude_kinds:
            q = q.where(ops.kind.notin_(list(exclude_kinds)))
        with self.transaction() as conn:
            return int(conn.execute(q).scalar_one())

    def created_dirs(self, run_id: int) -> set[str]:
        """Every folder a run's operations journaled as created (or to be created)."""
        ops = operations.c
        q = (
            select(ops.created_dirs)
            .where(ops.run_id == run_id, ops.created_dirs.is_not(None))
            .distinct()
        )
        dirs: set[str] = set()
        with self.transaction() as conn:
            for raw in conn.execute(q).scalars():
                dirs.update(dec_list(raw))
        return dirs

    def pending_operations(self) -> list[OpRecord]:
        """Every journaled intent not yet resolved (state ``planned``), oldest first."""
        ops = operations.c
        with self.transaction() as conn:
            q = select(operations).where(ops.state == PLANNED).order_by(ops.run_id, ops.ord, ops.id)
            return [op_record(r) for r in conn.execute(q)]

    def last_undoable_run(self) -> int | None:
        """The newest run (run, watch batch or undo) with changes still in place, or None."""
        ops = operations.c
        with self.transaction() as conn:
            q = (
                select(ops.run_id)
                .join(runs, runs.c.id == ops.run_id)
                .where(
                    runs.c.mode.in_(["run", "watch", "undo"]),
                    ops.state == DONE,
                    ops.kind.notin_(["echo", "delete"]),
                )
                .order_by(ops.run_id.desc())
                .limit(1)
            )
            found = conn.execute(q).scalar()
            return None if found is None else int(found)

    def update_operation(self, op_pk: int, **values: Any) -> None:
        """Update one operation row (recovery and undo bookkeeping)."""
        with self.transaction() as conn:
            conn.execute(update(operations).where(operations.c.id == op_pk).values(**values))

    def update_operation_by_op_id(self, op_id: str, **values: Any) -> None:
        """Update one operation row found by its ``op_id``."""
        with self.transaction() as conn:
            conn.execute(update(operations).where(operations.c.op_id == op_id).values(**values))

    def update_operations(
        self, key: str, updates: Sequence[tuple[Any, dict[str, Any]]], *more: UpdateBatch
    ) -> None:
        """Update many operation rows (by ``id`` or ``op_id``) in one transaction.

        Further ``(key, updates)`` batches go in the same transaction. One
        compiled UPDATE per set of columns, executed for many rows at once.
        """
        batches = [(key, updates), *more]
        with self.transaction() as conn:
            for by, items in batches:
                if by not in ("id", "op_id"):
                    raise ValueError(f"cannot update operations by {by!r}")
                groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
                for ident, values in items:
                    groups.setdefault(tuple(values), []).append((*values.values(), ident))
                for cols, params in groups.items():
                    sets = ", ".join(f"{c} = ?" for c in cols)
                    conn.exec_driver_sql(f"UPDATE operations SET {sets} WHERE {by} = ?", params)

    def journal(self, run_id: int) -> RunJournal:
        """The executor's journal for ``run_id``."""
        return RunJournal(self, run_id)

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
        stmt = sqlite_insert(hash_cache).values(
            dev=dev, ino=ino, size=size, mtime_ns=mtime_ns, algo=algo, digest=digest
        )
        # one statement: a new identity is inserted, a known one gets the new digest
        stmt = stmt.on_conflict_do_update(
            index_elements=list(hash_cache.primary_key.columns),
            set_={"digest": stmt.excluded.digest},
        )
        with self.transaction() as conn:
            conn.execute(stmt)


# -- the journal's hot path ----------------------------------------------------
#
# The driver binds ``int`` and ``str`` parameters directly but sends ``None``,
# ``bytes`` and ``bool`` through its adapter lookup, which costs several times
# as much; a large run binds about twenty parameters per file. So the journal's
# statements take stand-ins and SQLite turns them back into the same values:
#
# - a missing text or path is bound as the int ``0`` (``NULLIF(?, 0)``): a real
#   value is never an int, so only the stand-in becomes NULL;
# - a missing integer is bound as ``''`` (``NULLIF(?, '')``), likewise;
# - an ASCII path is bound as ``str`` and stored with ``CAST(? AS BLOB)``: the
#   same bytes ``os.fsencode`` gives (ASCII is ASCII in UTF-8, the database's
#   text encoding); any other path is bound as those bytes;
# - booleans are bound as 0/1, which is how SQLite stores them anyway.
#
# tests/test_journal_rows.py checks the rows against the plain way of writing them.

#: The columns of an intent row, in the order :meth:`RunJournal.record_intents`
#: builds them, and the SQL expression each parameter goes through.
INTENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "?"),
    ("run_id", "?"),
    ("seq", "?"),
    ("ord", "?"),
    ("op_id", "?"),
    ("kind", "?"),
    ("rule", "?"),
    ("action", "?"),
    ("state", f"'{PLANNED}'"),
    ("src", "CAST(? AS BLOB)"),
    ("planned_dst", "CAST(NULLIF(?, 0) AS BLOB)"),
    ("temp_path", "CAST(NULLIF(?, 0) AS BLOB)"),
    ("trash_path", "CAST(NULLIF(?, 0) AS BLOB)"),
    ("same_as", "CAST(NULLIF(?, 0) AS BLOB)"),
    ("check_inode", "?"),
    ("note", "NULLIF(?, 0)"),
    ("src_dev", "NULLIF(?, '')"),
    ("src_ino", "NULLIF(?, '')"),
    ("src_size", "NULLIF(?, '')"),
    ("src_mtime_ns", "NULLIF(?, '')"),
    ("created_dirs", "NULLIF(?, 0)"),
)
_INSERT_INTENT = (
    f"INSERT INTO operations ({', '.join(c for c, _ in INTENT_COLUMNS)}) "
    f"VALUES ({', '.join(e for _, e in INTENT_COLUMNS)})"
)
#: One statement for every result: a column a result may leave unset keeps
#: what the intent journaled (``COALESCE``), as a per-result column list did.
_RESULT_SET = (
    "UPDATE operations SET state = ?, dst = CAST(NULLIF(?, 0) AS BLOB), "
    "error = NULLIF(?, 0), reason = NULLIF(?, 0), "
    "after_dev = NULLIF(?, ''), after_ino = NULLIF(?, ''), "
    "after_size = NULLIF(?, ''), after_mtime_ns = NULLIF(?, ''), "
    "created_dirs = COALESCE(NULLIF(?, 0), created_dirs), "
    "trash_path = COALESCE(CAST(NULLIF(?, 0) AS BLOB), trash_path) "
)
_UPDATE_RESULT_BY_ID = _RESULT_SET + "WHERE id = ?"
#: An undo's intent: an intent row plus the operation it reverses.
_INSERT_REVERSAL = (
    f"INSERT INTO operations ({', '.join(c for c, _ in INTENT_COLUMNS)}, reverses) "
    f"VALUES ({', '.join(e for _, e in INTENT_COLUMNS)}, ?)"
)
_MARK_UNDONE = f"UPDATE operations SET state = '{UNDONE}', undone_by = ? WHERE id = ?"

_UPDATE_RESULT_BY_OP_ID = _RESULT_SET + "WHERE op_id = ?"

#: Stand-ins for a missing identity and a missing text, path or blob.
_NO_IDENTITY = ("", "", "", "")
_NULL = 0

#: Whether an ASCII ``str`` encodes to the bytes ``os.fsencode`` gives.
_ASCII_FS = "/ascii-Path_0.~".encode(FS_ENCODING, FS_ERRORS) == b"/ascii-Path_0.~"


def _path_param(path: str, text_ok: bool) -> str | bytes:
    """``path`` as the journal binds it (see above)."""
    if text_ok and path.isascii():
        return path
    return path.encode(FS_ENCODING, FS_ERRORS)


class Reversal(NamedTuple):
    """One intent of an undo run (see :meth:`RunJournal.record_reversals`)."""

    seq: int
    op_id: str
    kind: str
    rule: str
    src: str
    planned_dst: str | None
    temp_path: str | None
    trash_path: str | None
    note: str
    identity: Identity | None
    created_dirs: list[str]
    reverses: int


class ReversalResult(NamedTuple):
    """What became of one :class:`Reversal` (see :meth:`RunJournal.record_reversal_results`)."""

    row_id: int
    state: str
    dst: str | None
    error: str | None
    reason: str | None
    identity_after: Identity | None
    created_dirs: list[str]
    trash_path: str | None


class RunJournal:
    """The executor's :class:`~fileorganizer.executor.Journal`, backed by :class:`History`.

    ``record_intents`` commits one transaction per batch with
    ``synchronous=FULL``: when it returns the intents are on disk.

    The journal gives its rows their ids itself (the first row of a batch gets
    SQLite's next rowid, which takes the write lock; the others follow it) and
    remembers them until the result comes, so ``record_results`` updates by
    primary key instead of looking each ``op_id`` up.
    """

    def __init__(self, history: History, run_id: int) -> None:
        self.history = history
        self.run_id = run_id
        self._seen_seq: set[int] = set()
        #: op_id -> (row id, planned destination, as bound), until the result comes
        self._pending: dict[str, tuple[int, str | None, str | bytes | int]] = {}
        #: whether ASCII paths may be bound as text (see ``INTENT_COLUMNS``)
        self._text_paths = _ASCII_FS and history.text_encoding == "UTF-8"

    def _order(self, seq: int) -> int:
        # an intent whose seq was already journaled is one the executor added
        # at apply time to make room: it runs before the op it makes room for.
        if seq in self._seen_seq:
            return 2 * seq
        self._seen_seq.add(seq)
        return 2 * seq + 1

    def intent_row(
        self,
        intent: Intent,
        *,
        ord_: int | None = None,
        kind: str | None = None,
        reverses: int | None = None,
        same_as: str | None = None,
    ) -> dict[str, Any]:
        """Column values for a new intent row (for :meth:`insert_rows`)."""
        op = intent.op
        row: dict[str, Any] = {
            "run_id": self.run_id,
            "seq": op.seq,
            "ord": self._order(op.seq) if ord_ is None else ord_,
            "op_id": op.op_id,
            "kind": kind or op.kind.value,
            "rule": op.rule,
            "action": op.action,
            "state": PLANNED,
            "src": enc(op.src),
            "planned_dst": enc(intent.dst if intent.dst is not None else op.dst),
            "dst": None,
            "temp_path": enc(intent.temp_path),
            "trash_path": enc(intent.trash_path),
            "same_as": enc(same_as if same_as is not None else op.same_as),
            "check_inode": op.check_inode,
            "note": op.note,
            "reverses": reverses,
        }
        row.update(identity_columns("src_", op.identity))
        return row

    def record_intents(self, intents: Sequence[Intent]) -> None:
        """Commit the intents (one durable transaction).

        Each row also lists the destination's parent folders missing right now:
        the folders the run may create, so that undo can remove them (once
        empty) even when a crash kept the result from being recorded.
        """
        if not intents:
            return
        run_id = self.run_id
        seen = self._seen_seq
        text_ok = self._text_paths
        # parent folder -> its missing parents, encoded (the stand-in: none missing)
        created: dict[str, bytes | int] = {}
        exists: dict[str, bool] = {}
        rows: list[list[Any]] = []
        planned: list[tuple[str, str | None, str | bytes | int]] = []
        for intent in intents:
            op = intent.op
            seq = op.seq
            if seq in seen:
                ord_ = 2 * seq
            else:
                seen.add(seq)
                ord_ = 2 * seq + 1
            kind = _KIND_VALUE[op.kind]
            src = op.src
            dst = intent.dst if intent.dst is not None else op.dst
            dirs: bytes | int = _NULL
            if dst is None:
                dst_p: str | bytes | int = _NULL
            else:
                dst_p = dst if text_ok and dst.isascii() else _path_param(dst, False)
                if dst and kind in _CREATES_DST:
                    parent, _sep, name = dst.rpartition(os.sep)
                    cached = created.get(parent) if name not in ("", ".", "..") else None
                    if cached is None:
                        cached = enc_list(missing_parents(dst, exists)) or _NULL
                        if name not in ("", ".", ".."):
                            created[parent] = cached
                    dirs = cached
            ident = op.identity
            temp, trash, same_as, note = intent.temp_path, intent.trash_path, op.same_as, op.note
            rows.append(
                [
                    None,
                    run_id,
                    seq,
                    ord_,
                    op.op_id,
                    kind,
                    op.rule,
                    op.action,
                    src if text_ok and src.isascii() else _path_param(src, False),
                    dst_p,
                    _NULL if temp is None else _path_param(temp, text_ok),
                    _NULL if trash is None else _path_param(trash, text_ok),
                    _NULL if same_as is None else _path_param(same_as, text_ok),
                    1 if op.check_inode else 0,
                    _NULL if note is None else note,
                    *(
                        _NO_IDENTITY
                        if ident is None
                        else (ident.dev, ident.ino, ident.size, ident.mtime_ns)
                    ),
                    dirs,
                ]
            )
            planned.append((op.op_id, dst, dst_p))
        first_id = self._insert(rows)
        pending = self._pending
        for k, (op_id, dst, dst_p) in enumerate(planned):
            pending[op_id] = (first_id + k, dst, dst_p)

    def _insert(self, rows: list[list[Any]], sql: str = _INSERT_INTENT) -> int:
        """Insert intent rows (``id`` first, still None) in one transaction.

        Returns the id of the first row; the others follow it. The first insert
        lets SQLite pick the next rowid and takes the database's write lock, so
        no other writer can take the ids after it before this commits.
        """
        with self.history.transaction() as conn:
            # the driver's cursor, in the connection's transaction: executemany
            # takes the rows as they are (the hot path of a large run)
            cur = conn.connection.cursor()
            try:
                cur.execute(sql, rows[0])
                first_id = cur.lastrowid
                assert first_id is not None
                if len(rows) > 1:
                    for k, row in enumerate(rows):
                        row[0] = first_id + k
                    cur.executemany(sql, rows[1:])
            finally:
                cur.close()
        return first_id

    def record_reversals(self, reversals: Sequence[Reversal]) -> int:
        """Commit an undo's intents (one durable transaction); return the first row's id.

        The rows get consecutive ids in the order given, so results can be
        recorded by primary key (:meth:`record_reversal_results`).
        """
        run_id = self.run_id
        text_ok = self._text_paths
        rows: list[list[Any]] = []
        for r in reversals:
            ident = r.identity
            rows.append(
                [
                    None,
                    run_id,
                    r.seq,
                    2 * r.seq + 1,
                    r.op_id,
                    r.kind,
                    r.rule,
                    "undo",
                    _path_param(r.src, text_ok),
                    _NULL if r.planned_dst is None else _path_param(r.planned_dst, text_ok),
                    _NULL if r.temp_path is None else _path_param(r.temp_path, text_ok),
                    _NULL if r.trash_path is None else _path_param(r.trash_path, text_ok),
                    _NULL,
                    1,
                    r.note,
                    *(
                        _NO_IDENTITY
                        if ident is None
                        else (ident.dev, ident.ino, ident.size, ident.mtime_ns)
                    ),
                    enc_list(r.created_dirs) or _NULL,
                    r.reverses,
                ]
            )
        if not rows:
            return 0
        return self._insert(rows, _INSERT_REVERSAL)

    def record_reversal_results(
        self, results: Sequence[ReversalResult], undone: Sequence[int]
    ) -> None:
        """Commit an undo's results and mark ``undone`` (operation ids) as undone by it.

        One transaction. A result leaves the intent's created folders and
        trash path alone when it has none of its own.
        """
        text_ok = self._text_paths
        params: list[tuple[Any, ...]] = []
        for r in results:
            after = r.identity_after
            params.append(
                (
                    r.state,
                    _NULL if r.dst is None else _path_param(r.dst, text_ok),
                    _NULL if r.error is None else r.error,
                    _NULL if r.reason is None else r.reason,
                    *(
                        _NO_IDENTITY
                        if after is None
                        else (after.dev, after.ino, after.size, after.mtime_ns)
                    ),
                    enc_list(r.created_dirs) if r.created_dirs else _NULL,
                    _NULL if r.trash_path is None else _path_param(r.trash_path, text_ok),
                    r.row_id,
                )
            )
        run_id = self.run_id
        with self.history.transaction() as conn:
            cur = conn.connection.cursor()
            try:
                if params:
                    cur.executemany(_UPDATE_RESULT_BY_ID, params)
                if undone:
                    cur.executemany(_MARK_UNDONE, [(run_id, op_pk) for op_pk in undone])
            finally:
                cur.close()

    def insert_rows(self, rows: list[dict[str, Any]]) -> None:
        """Insert prepared intent rows (column dicts) in one transaction."""
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for row in rows:
            cols = tuple(row)
            groups.setdefault(cols, []).append(tuple(row.values()))
        with self.history.transaction() as conn:
            for cols, params in groups.items():
                sql = (
                    f"INSERT INTO operations ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})"
                )
                conn.exec_driver_sql(sql, params)

    def record_results(self, results: Sequence[OpResult]) -> None:
        """Commit what happened to each operation (one transaction).

        Rows this journal inserted are updated by primary key; any other
        (an intent journaled by another :class:`RunJournal`) by ``op_id``.
        """
        if not results:
            return
        pending = self._pending
        text_ok = self._text_paths
        by_id: list[tuple[Any, ...]] = []
        by_op_id: list[tuple[Any, ...]] = []
        for r in results:
            op = r.op
            dst = r.dst if r.dst is not None else op.dst
            known = pending.pop(op.op_id, None)
            if known is not None and (dst is known[1] or dst == known[1]):
                dst_p = known[2]
            else:
                dst_p = _NULL if dst is None else _path_param(dst, text_ok)
            after = r.identity_after
            trash, error, reason = r.trash_path, r.error, r.reason
            values = (
                _STATE_OF[r.status],
                dst_p,
                _NULL if error is None else error,
                _NULL if reason is None else reason,
                *(
                    _NO_IDENTITY
                    if after is None
                    else (after.dev, after.ino, after.size, after.mtime_ns)
                ),
                enc_list(r.created_dirs) if r.created_dirs else _NULL,
                _NULL if trash is None else _path_param(trash, text_ok),
            )
            if known is not None:
                by_id.append((*values, known[0]))
            else:
                by_op_id.append((*values, op.op_id))
        with self.history.transaction() as conn:
            cur = conn.connection.cursor()
            try:
                if by_id:
                    cur.executemany(_UPDATE_RESULT_BY_ID, by_id)
                if by_op_id:
                    cur.executemany(_UPDATE_RESULT_BY_OP_ID, by_op_id)
            finally:
                cur.close()


_KIND_VALUE = {k: k.value for k in OpKind}
_CREATES_DST = frozenset({"move", "rename", "copy", "symlink", "hardlink", "restore"})


def missing_parents(path: str, cache: dict[str, bool] | None = None) -> list[str]:
    """The parent folders of ``path`` that do not exist now, outermost first."""
    cache = {} if cache is None else cache
    missing: list[str] = []
    d = os.path.dirname(os.path.normpath(path))
    while True:
        known = cache.get(d)
        exists = known if known is not None else os.path.isdir(d)
        cache[d] = exists
        if exists:
            break
        missing.append(d)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return list(reversed(missing))


_STATE_OF = {OpStatus.DONE: DONE, OpStatus.SKIPPED: SKIPPED, OpStatus.FAILED: FAILED}


def result_values(r: OpResult) -> dict[str, Any]:
    """Column values recording an :class:`OpResult`."""
    values: dict[str, Any] = {
        "state": _STATE_OF[r.status],
        "dst": enc(r.dst if r.dst is not None else r.op.dst),
        "error": r.error,
        "reason": r.reason,
    }
    if r.created_dirs:  # else keep the folders journaled with the intent
        values["created_dirs"] = enc_list(list(r.created_dirs))
    if r.trash_path is not None:
        values["trash_path"] = enc(r.trash_path)
    values.update(identity_columns("after_", r.identity_after))
    return values
