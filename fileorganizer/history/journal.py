"""The executor's journal: intents committed before acting, results after.

:class:`RunJournal` is the :class:`~fileorganizer.executor.Journal` of one run.
``record_intents`` writes one row per operation in one durable transaction
(invariant 3). ``record_results`` writes per row only what the intent could
not know — a failure or a skip, a destination that moved at apply time, a new
identity (a copy, a cross-device move), folders other than those the intent
expected — and marks every other row of the batch done with one statement.
The results of an undo also mark the operations they reverse as undone.

On SQLite the rows go through the driver's cursor with stand-in parameters
(below); on other databases through SQLAlchemy Core, with the same values.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, update

from fileorganizer.history.models import FS_ENCODING, FS_ERRORS, enc, enc_list, operations
from fileorganizer.history.records import OpState
from fileorganizer.operations import Intent, Operation, OpKind, OpResult, OpStatus

if TYPE_CHECKING:
    from fileorganizer.history.store import History

# SQLite's driver binds ``int`` and ``str`` directly but sends ``None``,
# ``bytes`` and ``bool`` through its adapter lookup, which costs several times
# as much; a large run binds about twenty parameters per file. So the SQLite
# statements take stand-ins and SQLite turns them back into the same values:
# a missing text or path is the int ``0`` (``NULLIF(?, 0)``); a missing integer
# is ``''`` (``NULLIF(?, '')``); an ASCII path is bound as ``str`` and stored
# with ``CAST(? AS BLOB)`` (the bytes ``os.fsencode`` gives); booleans are 0/1.
# tests/test_journal_rows.py checks the rows column by column.

#: The columns of an intent row, in the order the journal builds them, and the
#: SQLite expression each parameter goes through.
INTENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "?"),
    ("run_id", "?"),
    ("seq", "?"),
    ("ord", "?"),
    ("op_id", "?"),
    ("kind", "?"),
    ("rule", "?"),
    ("action", "?"),
    ("state", f"'{OpState.PLANNED.value}'"),
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
    ("reverses", "NULLIF(?, '')"),
)
_INSERT_INTENT = (
    f"INSERT INTO operations ({', '.join(c for c, _ in INTENT_COLUMNS)}) "
    f"VALUES ({', '.join(e for _, e in INTENT_COLUMNS)})"
)
_RESULT_SET = (
    "UPDATE operations SET state = ?, dst = CAST(NULLIF(?, 0) AS BLOB), "
    "error = NULLIF(?, 0), reason = NULLIF(?, 0), "
    "after_dev = NULLIF(?, ''), after_ino = NULLIF(?, ''), "
    "after_size = NULLIF(?, ''), after_mtime_ns = NULLIF(?, ''), "
    "created_dirs = COALESCE(NULLIF(?, 0), created_dirs), "
    "trash_path = COALESCE(CAST(NULLIF(?, 0) AS BLOB), trash_path) "
)
_UPDATE_BY_ID = _RESULT_SET + "WHERE id = ?"
_UPDATE_BY_OP_ID = _RESULT_SET + "WHERE op_id = ?"
_MARK_DONE = (
    f"UPDATE operations SET state = '{OpState.DONE.value}' "
    f"WHERE run_id = ? AND id BETWEEN ? AND ? AND state = '{OpState.PLANNED.value}'"
)
_FORGET = f"DELETE FROM operations WHERE id = ? AND state = '{OpState.PLANNED.value}'"
_MARK_UNDONE = f"UPDATE operations SET state = '{OpState.UNDONE.value}', undone_by = ? WHERE id = ?"

_NO_IDENTITY = ("", "", "", "")
_NULL = 0
#: Whether an ASCII ``str`` encodes to the bytes ``os.fsencode`` gives.
_ASCII_FS = "/ascii-Path_0.~".encode(FS_ENCODING, FS_ERRORS) == b"/ascii-Path_0.~"
_KIND_VALUE = {k: k.value for k in OpKind}
_STATE_VALUE = {s: OpState.of(s).value for s in OpStatus}
_CREATES_DST = frozenset(
    {OpKind.MOVE, OpKind.RENAME, OpKind.COPY, OpKind.SYMLINK, OpKind.HARDLINK, OpKind.RESTORE}
)


def _path_param(path: str, text_ok: bool) -> str | bytes:
    if text_ok and path.isascii():
        return path
    return path.encode(FS_ENCODING, FS_ERRORS)


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


class _Pending:
    """What the journal remembers of an intent until its result comes."""

    __slots__ = ("dirs", "dst", "row_id", "trash")

    def __init__(self, row_id: int, dst: str | None, dirs: bytes | None, trash: str | None):
        self.row_id = row_id
        self.dst = dst
        self.dirs = dirs
        self.trash = trash


class RunJournal:
    """The executor's :class:`~fileorganizer.executor.Journal`, backed by :class:`History`."""

    def __init__(self, history: History, run_id: int) -> None:
        self.history = history
        self.run_id = run_id
        self._seen_seq: set[int] = set()
        self._pending: dict[str, _Pending] = {}
        self._sqlite = history.dialect == "sqlite"
        #: whether ASCII paths may be bound as text (see above)
        self._text_paths = _ASCII_FS and history.text_encoding == "UTF-8"

    def _order(self, seq: int) -> int:
        # an intent whose seq was already journaled is one the executor added
        # at apply time to make room: it runs before the op it makes room for
        if seq in self._seen_seq:
            return 2 * seq
        self._seen_seq.add(seq)
        return 2 * seq + 1

    # -- intents ---------------------------------------------------------------
    def record_intents(self, intents: Sequence[Intent]) -> None:
        """Commit the intents (one durable transaction).

        Each row also lists the destination's parent folders missing right now:
        the folders the run may create, so that undo can remove them (once
        empty) even when a crash kept the result from being recorded.
        """
        if not intents:
            return
        created: dict[str, bytes | None] = {}
        exists: dict[str, bool] = {}
        planned: list[tuple[str, str | None, bytes | None, str | None]] = []
        values: list[tuple[Any, ...]] = []
        for intent in intents:
            op = intent.op
            dst = intent.dst if intent.dst is not None else op.dst
            dirs: bytes | None = None
            if dst and op.kind in _CREATES_DST:
                parent = dst.rpartition(os.sep)[0]
                if parent in created:
                    dirs = created[parent]
                else:
                    dirs = created[parent] = enc_list(missing_parents(dst, exists))
            ident = op.identity
            values.append(
                (
                    op.seq,
                    self._order(op.seq),
                    op.op_id,
                    _KIND_VALUE[op.kind],
                    op.rule,
                    op.action,
                    op.src,
                    dst,
                    intent.temp_path,
                    intent.trash_path,
                    op.same_as,
                    op.check_inode,
                    op.note,
                    ident,
                    dirs,
                    op.reverses,
                )
            )
            planned.append((op.op_id, dst, dirs, intent.trash_path))
        ids = self._insert_sqlite(values) if self._sqlite else self._insert_core(values)
        pending = self._pending
        for row_id, (op_id, dst, dirs, trash) in zip(ids, planned, strict=True):
            pending[op_id] = _Pending(row_id, dst, dirs, trash)

    def _insert_sqlite(self, values: list[tuple[Any, ...]]) -> range:
        text_ok = self._text_paths
        run_id = self.run_id
        rows: list[list[Any]] = []
        for v in values:
            (seq, ord_, op_id, kind, rule, action, src, dst, temp, trash, same_as) = v[:11]
            check_inode, note, ident, dirs, reverses = v[11:]
            rows.append(
                [
                    None,
                    run_id,
                    seq,
                    ord_,
                    op_id,
                    kind,
                    rule,
                    action,
                    src if text_ok and src.isascii() else _path_param(src, False),
                    _NULL if dst is None else _path_param(dst, text_ok),
                    _NULL if temp is None else _path_param(temp, text_ok),
                    _NULL if trash is None else _path_param(trash, text_ok),
                    _NULL if same_as is None else _path_param(same_as, text_ok),
                    1 if check_inode else 0,
                    _NULL if note is None else note,
                    *(
                        _NO_IDENTITY
                        if ident is None
                        else (ident.dev, ident.ino, ident.size, ident.mtime_ns)
                    ),
                    _NULL if dirs is None else dirs,
                    "" if reverses is None else reverses,
                ]
            )
        # The first insert lets SQLite pick the next rowid and takes the write
        # lock, so no other writer takes the ids after it before this commits.
        with self.history.transaction() as conn:
            cur = conn.connection.cursor()
            try:
                cur.execute(_INSERT_INTENT, rows[0])
                first_id = cur.lastrowid
                assert first_id is not None
                if len(rows) > 1:
                    for k, row in enumerate(rows):
                        row[0] = first_id + k
                    cur.executemany(_INSERT_INTENT, rows[1:])
            finally:
                cur.close()
        return range(first_id, first_id + len(rows))

    def _insert_core(self, values: list[tuple[Any, ...]]) -> list[int]:
        rows: list[dict[str, Any]] = []
        for v in values:
            (seq, ord_, op_id, kind, rule, action, src, dst, temp, trash, same_as) = v[:11]
            check_inode, note, ident, dirs, reverses = v[11:]
            rows.append(
                {
                    "run_id": self.run_id,
                    "seq": seq,
                    "ord": ord_,
                    "op_id": op_id,
                    "kind": kind,
                    "rule": rule,
                    "action": action,
                    "state": OpState.PLANNED.value,
                    "src": enc(src),
                    "planned_dst": enc(dst),
                    "temp_path": enc(temp),
                    "trash_path": enc(trash),
                    "same_as": enc(same_as),
                    "check_inode": bool(check_inode),
                    "note": note,
                    "src_dev": None if ident is None else ident.dev,
                    "src_ino": None if ident is None else ident.ino,
                    "src_size": None if ident is None else ident.size,
                    "src_mtime_ns": None if ident is None else ident.mtime_ns,
                    "created_dirs": dirs,
                    "reverses": reverses,
                }
            )
        stmt = insert(operations).returning(operations.c.id, sort_by_parameter_order=True)
        with self.history.transaction() as conn:
            return [int(i) for i in conn.execute(stmt, rows).scalars()]

    # -- results ---------------------------------------------------------------
    def record_results(
        self, results: Sequence[OpResult], not_started: Sequence[Operation] = ()
    ) -> None:
        """Commit what happened to each operation (one transaction).

        Intents ``not_started`` (a stop came first) are removed: nothing happened
        to those files, and the run's counts then equal the disk.
        """
        if not results and not not_started:
            return
        pending = self._pending
        forget = [k.row_id for op in not_started if (k := pending.pop(op.op_id, None)) is not None]
        exceptions: list[tuple[Any, ...]] = []  # (values..., key, by_id)
        done_ids: list[int] = []
        undone: list[int] = []
        for r in results:
            op = r.op
            known = pending.pop(op.op_id, None)
            dst = r.dst if r.dst is not None else op.dst
            after = r.identity_after
            if op.reverses is not None and r.status is OpStatus.DONE:
                undone.append(op.reverses)
            if (
                known is not None
                and r.status is OpStatus.DONE
                and (dst is known.dst or dst == known.dst)
                and (after is None or after == op.identity)
                and (r.trash_path is None or r.trash_path == known.trash)
                and (not r.created_dirs or enc_list(r.created_dirs) == known.dirs)
            ):
                done_ids.append(known.row_id)
                continue
            exceptions.append(
                (
                    _STATE_VALUE[r.status],
                    dst,
                    r.error,
                    r.reason,
                    after,
                    enc_list(r.created_dirs) if r.created_dirs else None,
                    r.trash_path,
                    known.row_id if known is not None else op.op_id,
                    known is not None,
                )
            )
        if self._sqlite:
            self._results_sqlite(exceptions, done_ids, undone, forget)
        else:
            self._results_core(exceptions, done_ids, undone, forget)

    def _results_sqlite(
        self,
        exceptions: list[tuple[Any, ...]],
        done_ids: list[int],
        undone: list[int],
        forget: list[int],
    ) -> None:
        text_ok = self._text_paths
        by_id: list[tuple[Any, ...]] = []
        by_op_id: list[tuple[Any, ...]] = []
        for state, dst, error, reason, after, dirs, trash, key, is_id in exceptions:
            params = (
                state,
                _NULL if dst is None else _path_param(dst, text_ok),
                _NULL if error is None else error,
                _NULL if reason is None else reason,
                *(
                    _NO_IDENTITY
                    if after is None
                    else (after.dev, after.ino, after.size, after.mtime_ns)
                ),
                _NULL if dirs is None else dirs,
                _NULL if trash is None else _path_param(trash, text_ok),
                key,
            )
            (by_id if is_id else by_op_id).append(params)
        with self.history.transaction() as conn:
            cur = conn.connection.cursor()
            try:
                if by_id:
                    cur.executemany(_UPDATE_BY_ID, by_id)
                if by_op_id:
                    cur.executemany(_UPDATE_BY_OP_ID, by_op_id)
                for lo, hi in _ranges(done_ids):
                    cur.execute(_MARK_DONE, (self.run_id, lo, hi))
                if undone:
                    cur.executemany(_MARK_UNDONE, [(self.run_id, pk) for pk in undone])
                if forget:
                    cur.executemany(_FORGET, [(pk,) for pk in forget])
            finally:
                cur.close()

    def _results_core(
        self,
        exceptions: list[tuple[Any, ...]],
        done_ids: list[int],
        undone: list[int],
        forget: list[int],
    ) -> None:
        ops = operations.c
        rows: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        for state, dst, error, reason, after, dirs, trash, key, is_id in exceptions:
            values: dict[str, Any] = {
                "k": key,
                "state": state,
                "dst": enc(dst),
                "error": error,
                "reason": reason,
                "after_dev": None if after is None else after.dev,
                "after_ino": None if after is None else after.ino,
                "after_size": None if after is None else after.size,
                "after_mtime_ns": None if after is None else after.mtime_ns,
            }
            rows[is_id].append(values | {"dirs": dirs, "trash": enc(trash)})
        from sqlalchemy import func

        def stmt(key_col: Any) -> Any:
            return (
                update(operations)
                .where(key_col == bindparam("k"))
                .values(
                    state=bindparam("state"),
                    dst=bindparam("dst"),
                    error=bindparam("error"),
                    reason=bindparam("reason"),
                    after_dev=bindparam("after_dev"),
                    after_ino=bindparam("after_ino"),
                    after_size=bindparam("after_size"),
                    after_mtime_ns=bindparam("after_mtime_ns"),
                    created_dirs=func.coalesce(bindparam("dirs"), ops.created_dirs),
                    trash_path=func.coalesce(bindparam("trash"), ops.trash_path),
                )
            )

        with self.history.transaction() as conn:
            if rows[True]:
                conn.execute(stmt(ops.id), rows[True])
            if rows[False]:
                conn.execute(stmt(ops.op_id), rows[False])
            for lo, hi in _ranges(done_ids):
                conn.execute(
                    update(operations)
                    .where(
                        ops.run_id == self.run_id,
                        ops.id.between(lo, hi),
                        ops.state == OpState.PLANNED.value,
                    )
                    .values(state=OpState.DONE.value)
                )
            if undone:
                conn.execute(
                    update(operations)
                    .where(ops.id == bindparam("k"))
                    .values(state=OpState.UNDONE.value, undone_by=self.run_id),
                    [{"k": pk} for pk in undone],
                )
            if forget:
                conn.execute(
                    delete(operations).where(
                        operations.c.id == bindparam("k"),
                        operations.c.state == OpState.PLANNED.value,
                    ),
                    [{"k": pk} for pk in forget],
                )


def _ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ``ids`` as inclusive runs of consecutive numbers."""
    if not ids:
        return []
    ids = sorted(ids)
    out: list[tuple[int, int]] = []
    lo = prev = ids[0]
    for i in ids[1:]:
        if i != prev + 1:
            out.append((lo, prev))
            lo = i
        prev = i
    out.append((lo, prev))
    return out
