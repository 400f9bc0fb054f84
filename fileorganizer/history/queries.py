"""Reading the history: runs, a run's operations, unfinished intents, put-back files.

:class:`HistoryQueries` is the read side of :class:`~fileorganizer.history.store.History`
(a mixin: it needs the store's ``transaction()``). Every query is a Core
statement, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, or_, select, tuple_, update

from fileorganizer.errors import HistoryError
from fileorganizer.history.models import FS_ENCODING, FS_ERRORS, dec, dec_list, operations, runs
from fileorganizer.history.records import OpRecord, OpState, RunInfo, RunMode, RunStatus
from fileorganizer.operations import Identity, OpKind

#: Kinds whose row keeps the source's identity after a same-device apply (the
#: journal then stores no separate "after" identity; see :func:`op_record`).
_KEEPS_IDENTITY = frozenset(
    {OpKind.MOVE, OpKind.RENAME, OpKind.TRASH, OpKind.RESTORE, OpKind.HARDLINK}
)
_MAX_INT = 2**63 - 1
#: how many of the newest undo runs the watcher's "put back" rule looks at
PUT_BACK_RUNS = 20


def _identity(
    dev: int | None, ino: int | None, size: int | None, mt: int | None
) -> Identity | None:
    if dev is None or ino is None or size is None or mt is None:
        return None
    return Identity(int(dev), int(ino), int(size), int(mt))


_KIND = {k.value: k for k in OpKind}
_STATE = {s.value: s for s in OpState}

#: The columns of ``operations`` in table order (as :func:`op_record` reads them).
OP_COLUMNS = tuple(operations.columns)
_ORD, _ID = OP_COLUMNS.index(operations.c.ord), OP_COLUMNS.index(operations.c.id)


def _path(raw: Any) -> str:
    """A stored path back to ``str`` (bytes on SQLite, ``memoryview`` on PostgreSQL)."""
    if type(raw) is not bytes:
        raw = bytes(raw)
    return raw.decode(FS_ENCODING, FS_ERRORS)  # type: ignore[no-any-return]


def op_record(row: Sequence[Any]) -> OpRecord:
    """An :class:`OpRecord` from a row of every ``operations`` column, in table order."""
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
        detail,
    ) = row
    kind = _KIND[kind]
    state = _STATE[state]
    identity = _identity(src_dev, src_ino, src_size, src_mtime_ns)
    after = _identity(after_dev, after_ino, after_size, after_mtime_ns)
    if after is None and state in (OpState.DONE, OpState.UNDONE) and kind in _KEEPS_IDENTITY:
        after = identity  # stored only where it differs
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
        src=_path(src),
        planned_dst=None if planned_dst is None else _path(planned_dst),
        dst=None if dst is None else _path(dst),
        temp_path=None if temp_path is None else _path(temp_path),
        trash_path=None if trash_path is None else _path(trash_path),
        same_as=None if same_as is None else _path(same_as),
        identity=identity,
        check_inode=bool(check_inode),
        identity_after=after,
        created_dirs=dec_list(None if created_dirs is None else bytes(created_dirs)),
        error=error,
        reason=reason,
        note=note,
        undone_by=undone_by,
        reverses=reverses,
        detail=None if detail is None else bytes(detail),
    )


class HistoryQueries:
    """The read side of the history store."""

    def transaction(self) -> AbstractContextManager[Connection]:  # pragma: no cover - store's
        """A connection in a transaction (provided by the store)."""
        raise NotImplementedError

    # -- runs ----------------------------------------------------------------
    def _run_info(self, conn: Connection, row: Row[Any]) -> RunInfo:
        ops = operations.c
        undone = conn.execute(
            select(func.count()).where(ops.run_id == row.id, ops.state == OpState.UNDONE.value)
        ).scalar_one()
        return RunInfo(
            id=row.id,
            mode=RunMode(row.mode),
            status=RunStatus(row.status),
            started_at=row.started_at,
            finished_at=row.finished_at,
            config_path=dec(None if row.config_path is None else bytes(row.config_path)),
            config_hash=row.config_hash,
            undo_of=row.undo_of,
            planned=row.planned,
            done=row.done,
            skipped=row.skipped,
            failed=row.failed,
            problems=row.problems,
            undone=int(undone),
            note=row.note,
            host=row.host,
            pid=row.pid,
            session=row.session,
            locks=row.locks,
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
        modes: Sequence[RunMode] | None = None,
        since: datetime | None = None,
    ) -> list[RunInfo]:
        """The most recent runs, newest first (of ``modes``, started at or after ``since``)."""
        with self.transaction() as conn:
            q = select(runs).order_by(runs.c.id.desc())
            if modes:
                q = q.where(runs.c.mode.in_([RunMode(m).value for m in modes]))
            if since is not None:
                q = q.where(runs.c.started_at >= since)
            if limit:
                q = q.limit(limit)
            return [self._run_info(conn, r) for r in conn.execute(q).all()]

    def unfinished_runs(self) -> list[RunInfo]:
        """Runs still marked running (their process died, if no one holds their lock)."""
        with self.transaction() as conn:
            rows = conn.execute(select(runs).where(runs.c.status == RunStatus.RUNNING.value)).all()
            return [self._run_info(conn, r) for r in rows]

    def last_undoable_run(self) -> int | None:
        """The newest run (a run, a watch batch, dupes) with changes still in place, or None.

        An undo is not picked: ``undo`` twice undoes the two newest runs, it does not
        redo the first. An undo is undone (a redo) by naming it: ``undo RUN``.
        """
        ops = operations.c
        undoable = [m.value for m in RunMode if m.undoable and m is not RunMode.UNDO]
        with self.transaction() as conn:
            q = (
                select(ops.run_id)
                .join(runs, runs.c.id == ops.run_id)
                .where(
                    runs.c.mode.in_(undoable),
                    ops.state == OpState.DONE.value,
                    ops.kind.notin_([OpKind.ECHO.value, OpKind.DELETE.value]),
                )
                .order_by(ops.run_id.desc())
                .limit(1)
            )
            found = conn.execute(q).scalar()
            return None if found is None else int(found)

    # -- operations ------------------------------------------------------------
    def operations(self, run_id: int, *, states: Sequence[OpState] | None = None) -> list[OpRecord]:
        """A run's operations in execution order."""
        return [r for page in self.iter_operations(run_id, states=states) for r in page]

    def iter_operations(
        self,
        run_id: int,
        *,
        states: Sequence[OpState] | None = None,
        newest_first: bool = False,
        batch: int = 2000,
    ) -> Iterator[list[OpRecord]]:
        """A run's operations in execution order (or newest first), ``batch`` at a time.

        Each page is read in its own short transaction and continues after the
        last row of the one before (by ``ord`` and ``id``), so the caller may
        change rows in between without rows being skipped or read twice.
        """
        ops = operations.c
        key = tuple_(ops.ord, ops.id)
        after: tuple[int, int] = (_MAX_INT, _MAX_INT) if newest_first else (-_MAX_INT, -_MAX_INT)
        order = (ops.ord.desc(), ops.id.desc()) if newest_first else (ops.ord, ops.id)
        while True:
            q = select(*OP_COLUMNS).where(ops.run_id == run_id)
            q = q.where(key < tuple_(*after) if newest_first else key > tuple_(*after))
            if states:
                q = q.where(ops.state.in_([OpState(s).value for s in states]))
            q = q.order_by(*order).limit(batch)
            with self.transaction() as conn:
                rows = conn.execute(q).all()
            if not rows:
                return
            yield [op_record(r) for r in rows]
            if len(rows) < batch:
                return
            last = rows[-1]
            after = (last[_ORD], last[_ID])

    def count_operations(
        self,
        run_id: int,
        *,
        states: Sequence[OpState] | None = None,
        exclude_kinds: Sequence[OpKind] = (),
    ) -> int:
        """How many of a run's operations are in ``states`` and not of ``exclude_kinds``."""
        ops = operations.c
        q = select(func.count()).where(ops.run_id == run_id)
        if states:
            q = q.where(ops.state.in_([OpState(s).value for s in states]))
        if exclude_kinds:
            q = q.where(ops.kind.notin_([OpKind(k).value for k in exclude_kinds]))
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
                dirs.update(dec_list(bytes(raw)))
        return dirs

    def pending_operations(self, run_ids: Sequence[int] | None = None) -> list[OpRecord]:
        """Journaled intents not yet resolved (state ``planned``), oldest first."""
        ops = operations.c
        q = select(*OP_COLUMNS).where(ops.state == OpState.PLANNED.value)
        if run_ids is not None:
            q = q.where(ops.run_id.in_(list(run_ids)))
        q = q.order_by(ops.run_id, ops.ord, ops.id)
        with self.transaction() as conn:
            return [op_record(r) for r in conn.execute(q).all()]

    def update_operation(self, op_pk: int, **values: Any) -> None:
        """Update one operation row (recovery's bookkeeping)."""
        with self.transaction() as conn:
            conn.execute(update(operations).where(operations.c.id == op_pk).values(**values))

    def put_back(self, recent: int = PUT_BACK_RUNS) -> dict[str, Identity]:
        """Files the ``recent`` newest undo runs put back: path -> identity there.

        From those undo runs' done operations that bring a file back to a place
        (move, rename, restore) and are not themselves undone. The watcher
        leaves such a file alone until it changes (a new identity). Only recent
        undos count, so the cost of this does not grow with the history.
        """
        ops = operations.c
        last = (
            select(runs.c.id)
            .where(runs.c.mode == RunMode.UNDO.value)
            .order_by(runs.c.id.desc())
            .limit(recent)
            .scalar_subquery()
        )
        kinds = [OpKind.MOVE.value, OpKind.RENAME.value, OpKind.RESTORE.value]
        q = (
            select(
                ops.planned_dst,
                ops.dst,
                ops.src_dev,
                ops.src_ino,
                ops.src_size,
                ops.src_mtime_ns,
                ops.after_dev,
                ops.after_ino,
                ops.after_size,
                ops.after_mtime_ns,
            )
            .join(runs, runs.c.id == ops.run_id)
            .where(
                runs.c.mode == RunMode.UNDO.value,
                ops.run_id.in_(last),
                ops.state == OpState.DONE.value,
                ops.kind.in_(kinds),
                or_(ops.dst.is_not(None), ops.planned_dst.is_not(None)),
            )
            .order_by(ops.id)
        )
        out: dict[str, Identity] = {}
        with self.transaction() as conn:
            for row in conn.execute(q):
                raw = row.dst if row.dst is not None else row.planned_dst
                ident = _identity(row.after_dev, row.after_ino, row.after_size, row.after_mtime_ns)
                if ident is None:
                    ident = _identity(row.src_dev, row.src_ino, row.src_size, row.src_mtime_ns)
                if ident is not None:
                    out[os.fsdecode(bytes(raw))] = ident
        return out

    def runs_of_session(self, session: str) -> list[int]:
        """The ids of a watch session's runs with changes still in place, newest first."""
        ops = operations.c
        q = (
            select(runs.c.id)
            .where(
                runs.c.session == session,
                and_(
                    select(func.count())
                    .where(ops.run_id == runs.c.id, ops.state == OpState.DONE.value)
                    .scalar_subquery()
                    > 0
                ),
            )
            .order_by(runs.c.id.desc())
        )
        with self.transaction() as conn:
            return [int(i) for i in conn.execute(q).scalars()]
