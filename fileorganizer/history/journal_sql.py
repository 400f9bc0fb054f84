"""The journal's writers: SQLite's driver fast path, PostgreSQL's COPY, and SQLAlchemy Core.

All write the same rows (tests/test_journal_rows.py compares them column by
column: the fast and the Core path on SQLite, COPY and Core on PostgreSQL
against SQLite's rows); :class:`~fileorganizer.history.journal.RunJournal`
decides what to write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, update

from fileorganizer.history.models import FS_ENCODING, FS_ERRORS, enc, operations
from fileorganizer.history.records import OpState

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
    ("detail", "CAST(NULLIF(?, 0) AS BLOB)"),
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


def _path_param(path: str, text_ok: bool) -> str | bytes:
    if text_ok and path.isascii():
        return path
    return path.encode(FS_ENCODING, FS_ERRORS)


def insert_sqlite(
    history: History, run_id: int, text_ok: bool, values: list[tuple[Any, ...]]
) -> range:
    """Insert intent rows through the driver's cursor (stand-in parameters)."""
    rows: list[list[Any]] = []
    for v in values:
        (seq, ord_, op_id, kind, rule, action, src, dst, temp, trash, same_as) = v[:11]
        check_inode, note, ident, dirs, reverses, detail = v[11:]
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
                _NULL if detail is None else detail,
            ]
        )
    # The first insert lets SQLite pick the next rowid and takes the write
    # lock, so no other writer takes the ids after it before this commits.
    with history.transaction() as conn:
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


def insert_core(history: History, run_id: int, values: list[tuple[Any, ...]]) -> list[int]:
    """Insert intent rows through SQLAlchemy Core (any database); their ids in order."""
    rows: list[dict[str, Any]] = []
    for v in values:
        (seq, ord_, op_id, kind, rule, action, src, dst, temp, trash, same_as) = v[:11]
        check_inode, note, ident, dirs, reverses, detail = v[11:]
        rows.append(
            {
                "run_id": run_id,
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
                "detail": detail,
            }
        )
    stmt = insert(operations).returning(operations.c.id, sort_by_parameter_order=True)
    with history.transaction() as conn:
        return [int(i) for i in conn.execute(stmt, rows).scalars()]


#: The columns an intent fills on PostgreSQL, in :func:`insert_pg`'s row order.
_PG_INTENT_COLUMNS = (
    "id, run_id, seq, ord, op_id, kind, rule, action, state, src, planned_dst, temp_path, "
    "trash_path, same_as, check_inode, note, src_dev, src_ino, src_size, src_mtime_ns, "
    "created_dirs, reverses, detail"
)
_PG_IDS = "SELECT nextval(pg_get_serial_sequence('operations', 'id')) FROM generate_series(1, %s)"


def insert_pg(history: History, run_id: int, values: list[tuple[Any, ...]]) -> list[int]:
    """Insert intent rows on PostgreSQL with one ``COPY``; their ids in order.

    The ids are taken from the table's sequence first (one query), so the rows
    need no ``RETURNING``; ``COPY`` then sends them in one stream, parsed once
    by the server (a multi-row ``INSERT`` of a few thousand rows costs the
    driver more to build than the server to run). Same values as
    :func:`insert_core`.
    """
    planned = OpState.PLANNED.value
    with history.transaction() as conn:
        pg = conn.connection.driver_connection
        assert pg is not None
        with pg.cursor() as cur:
            cur.execute(_PG_IDS, (len(values),))
            ids = sorted(int(r[0]) for r in cur.fetchall())
            copy_sql = f"COPY operations ({_PG_INTENT_COLUMNS}) FROM STDIN"
            with cur.copy(copy_sql) as copy:
                write = copy.write_row
                for row_id, v in zip(ids, values, strict=True):
                    (seq, ord_, op_id, kind, rule, action, src, dst, temp, trash, same_as) = v[:11]
                    check_inode, note, ident, dirs, reverses, detail = v[11:]
                    write(
                        (
                            row_id,
                            run_id,
                            seq,
                            ord_,
                            op_id,
                            kind,
                            rule,
                            action,
                            planned,
                            enc(src),
                            enc(dst),
                            enc(temp),
                            enc(trash),
                            enc(same_as),
                            bool(check_inode),
                            note,
                            *(
                                (None, None, None, None)
                                if ident is None
                                else (ident.dev, ident.ino, ident.size, ident.mtime_ns)
                            ),
                            dirs,
                            reverses,
                            detail,
                        )
                    )
    return ids


def results_sqlite(
    history: History,
    run_id: int,
    text_ok: bool,
    exceptions: list[tuple[Any, ...]],
    done_ids: list[int],
    undone: list[int],
    forget: list[int],
) -> None:
    """Write results through the driver's cursor (one transaction)."""
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
    with history.transaction() as conn:
        cur = conn.connection.cursor()
        try:
            if by_id:
                cur.executemany(_UPDATE_BY_ID, by_id)
            if by_op_id:
                cur.executemany(_UPDATE_BY_OP_ID, by_op_id)
            for lo, hi in _ranges(done_ids):
                cur.execute(_MARK_DONE, (run_id, lo, hi))
            if undone:
                cur.executemany(_MARK_UNDONE, [(run_id, pk) for pk in undone])
            if forget:
                cur.executemany(_FORGET, [(pk,) for pk in forget])
        finally:
            cur.close()


def results_core(
    history: History,
    run_id: int,
    exceptions: list[tuple[Any, ...]],
    done_ids: list[int],
    undone: list[int],
    forget: list[int],
) -> None:
    """Write results through SQLAlchemy Core (one transaction)."""
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

    with history.transaction() as conn:
        if rows[True]:
            conn.execute(stmt(ops.id), rows[True])
        if rows[False]:
            conn.execute(stmt(ops.op_id), rows[False])
        for lo, hi in _ranges(done_ids):
            conn.execute(
                update(operations)
                .where(
                    ops.run_id == run_id,
                    ops.id.between(lo, hi),
                    ops.state == OpState.PLANNED.value,
                )
                .values(state=OpState.DONE.value)
            )
        if undone:
            conn.execute(
                update(operations)
                .where(ops.id == bindparam("k"))
                .values(state=OpState.UNDONE.value, undone_by=run_id),
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
