"""Schema migrations of the history database.

``MIGRATIONS[n]`` takes a database from schema version n to n+1. Each step is
idempotent (an interrupted migration simply runs again) and runs inside the
transaction that also records the new version. A new database is created at
the current version (:data:`~fileorganizer.history.models.SCHEMA_VERSION`)
and needs none.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, LargeBinary, inspect

from fileorganizer.history.models import PLANNED_WHERE, UNDONE_WHERE
from fileorganizer.operations import OpKind


def _migrate_1_to_2(conn: Connection) -> None:
    """Version 2: partial indexes on ``state`` instead of a full one.

    The full index on ``operations.state`` cost every insert and every result
    update an index write; the only lookups by state are for unfinished intents
    (recovery) and for undone operations (counts in ``history``).
    """
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_operations_state")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_operations_planned ON operations (state) "
        f"WHERE {PLANNED_WHERE}"
    )
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_operations_undone ON operations (run_id) "
        f"WHERE {UNDONE_WHERE}"
    )


#: The kinds whose rows changed meaning in version 3 (see :func:`_migrate_2_to_3`).
_REMOVE_KINDS = (OpKind.REMOVE_COPY, OpKind.REMOVE_SYMLINK, OpKind.REMOVE_HARDLINK)


def _migrate_2_to_3(conn: Connection) -> None:
    """Version 3: who ran a run (host, watch session, lock keys); removals act on ``src``.

    Undo is now a plan of ordinary operations, whose ``src`` is always the
    path acted on. A version-2 removal (``remove_copy`` and the link removals
    an undo journaled) kept the original in ``src`` and the removed path in
    ``planned_dst``/``dst``: they are rewritten to the new shape (the removed
    path in ``src``, the original in ``same_as``), so an undo of such an undo
    still works.
    """
    present = {c["name"] for c in inspect(conn).get_columns("runs")}
    for column, sql_type in (("host", "VARCHAR(255)"), ("session", "VARCHAR(64)")):
        if column not in present:
            conn.exec_driver_sql(f"ALTER TABLE runs ADD COLUMN {column} {sql_type}")
    if "locks" not in present:
        conn.exec_driver_sql("ALTER TABLE runs ADD COLUMN locks TEXT")
    kinds = ", ".join(f"'{k.value}'" for k in _REMOVE_KINDS)
    conn.exec_driver_sql(
        "UPDATE operations SET same_as = src, src = COALESCE(dst, planned_dst), "
        "planned_dst = NULL, dst = NULL "
        f"WHERE kind IN ({kinds}) AND COALESCE(dst, planned_dst) IS NOT NULL"
    )


def _migrate_3_to_4(conn: Connection) -> None:
    """Version 4: ``operations.detail``, what a shell, write or macos_tags operation ran
    or wrote (the command line, the bytes added). Older rows have none.
    """
    present = {c["name"] for c in inspect(conn).get_columns("operations")}
    if "detail" not in present:
        blob = LargeBinary().compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE operations ADD COLUMN detail {blob}")


MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
}
