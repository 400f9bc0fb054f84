"""Schema migrations: a version-1 history opens, migrates, recovers and undoes."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine

from fileorganizer.api import undo_run
from fileorganizer.history import History
from fileorganizer.history.migrations import MIGRATIONS
from fileorganizer.history.models import SCHEMA_VERSION
from fileorganizer.operations import Identity, Intent, Operation, OpKind, OpResult, OpStatus
from fileorganizer.paths import resolve_paths
from fileorganizer.session import recover

# The schema a version-1 database has (as version 1 of this code created it).
V1_DDL = """
CREATE TABLE schema_info (id INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (id));
CREATE TABLE runs (
    id INTEGER NOT NULL, mode VARCHAR(16) NOT NULL, status VARCHAR(16) NOT NULL,
    started_at DATETIME NOT NULL, finished_at DATETIME, config_path BLOB,
    config_hash VARCHAR(128), pid INTEGER, undo_of INTEGER, planned INTEGER NOT NULL,
    done INTEGER NOT NULL, skipped INTEGER NOT NULL, failed INTEGER NOT NULL,
    problems INTEGER NOT NULL, note TEXT,
    PRIMARY KEY (id), FOREIGN KEY(undo_of) REFERENCES runs (id)
);
CREATE TABLE hash_cache (
    dev BIGINT NOT NULL, ino BIGINT NOT NULL, size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL,
    algo VARCHAR(32) NOT NULL, digest VARCHAR(256) NOT NULL,
    PRIMARY KEY (dev, ino, size, mtime_ns, algo)
);
CREATE TABLE operations (
    id INTEGER NOT NULL, run_id INTEGER NOT NULL, seq INTEGER NOT NULL, ord INTEGER NOT NULL,
    op_id VARCHAR(32) NOT NULL, kind VARCHAR(24) NOT NULL, rule TEXT NOT NULL,
    action VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, src BLOB NOT NULL,
    planned_dst BLOB, dst BLOB, temp_path BLOB, trash_path BLOB, same_as BLOB,
    src_dev BIGINT, src_ino BIGINT, src_size BIGINT, src_mtime_ns BIGINT,
    check_inode BOOLEAN NOT NULL, after_dev BIGINT, after_ino BIGINT, after_size BIGINT,
    after_mtime_ns BIGINT, created_dirs BLOB, error TEXT, reason TEXT, note TEXT,
    undone_by INTEGER, reverses INTEGER,
    PRIMARY KEY (id), FOREIGN KEY(run_id) REFERENCES runs (id), UNIQUE (op_id),
    FOREIGN KEY(undone_by) REFERENCES runs (id), FOREIGN KEY(reverses) REFERENCES operations (id)
);
CREATE INDEX ix_operations_state ON operations (state);
CREATE INDEX ix_operations_run_order ON operations (run_id, ord, id);
INSERT INTO schema_info (id, version) VALUES (1, 1);
"""

_V1_OP = (
    "INSERT INTO operations (run_id, seq, ord, op_id, kind, rule, action, state, src, "
    "planned_dst, dst, src_dev, src_ino, src_size, src_mtime_ns, check_inode, after_dev, "
    "after_ino, after_size, after_mtime_ns, created_dirs) "
    "VALUES (?, ?, ?, ?, 'move', 'r', 'move', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)"
)


def _v1_database(db: Path, tmp: Path) -> tuple[Path, Path]:
    """A v1 history: a finished run that moved ``a.txt`` and a crashed one (intent only)."""
    (tmp / "in").mkdir()
    (tmp / "out").mkdir()
    (tmp / "in" / "a.txt").write_text("A")
    (tmp / "in" / "b.txt").write_text("B")
    a_src, a_dst = tmp / "in" / "a.txt", tmp / "out" / "a.txt"
    b_src, b_dst = tmp / "in" / "b.txt", tmp / "out" / "b.txt"
    ident_a = Identity.of(a_src)
    os.rename(a_src, a_dst)
    ident_b = Identity.of(b_src)
    now = datetime(2024, 1, 2, 3, 4, 5).isoformat(sep=" ")
    with sqlite3.connect(db) as conn:
        conn.executescript(V1_DDL)
        for run_id, status in ((1, "ok"), (2, "running")):
            conn.execute(
                "INSERT INTO runs (id, mode, status, started_at, planned, done, skipped, "
                "failed, problems) VALUES (?, 'run', ?, ?, 1, 0, 0, 0, 0)",
                (run_id, status, now),
            )
        a = (ident_a.dev, ident_a.ino, ident_a.size, ident_a.mtime_ns)
        b = (ident_b.dev, ident_b.ino, ident_b.size, ident_b.mtime_ns)
        conn.execute(
            _V1_OP,
            (
                1,
                0,
                1,
                "op-a",
                "done",
                os.fsencode(a_src),
                os.fsencode(a_dst),
                os.fsencode(a_dst),
                *a,
                *a,
                None,
            ),
        )
        conn.execute(
            _V1_OP,
            (
                2,
                0,
                1,
                "op-b",
                "planned",
                os.fsencode(b_src),
                os.fsencode(b_dst),
                None,
                *b,
                None,
                None,
                None,
                None,
                None,
            ),
        )
    return a_src, b_src


def _index_sql(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(
            conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).fetchall()
        )


def test_a_version_1_history_migrates_recovers_and_undoes(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    a_src, b_src = _v1_database(db, tmp_path)
    ap = resolve_paths(db_path=db)
    with History(db) as h:
        assert h.schema_version == SCHEMA_VERSION == 4
        indexes = _index_sql(db)
        assert "ix_operations_state" not in indexes
        assert "WHERE state = 'planned'" in indexes["ix_operations_planned"]
        assert "WHERE state = 'undone'" in indexes["ix_operations_undone"]
        with sqlite3.connect(db) as conn:
            plan = conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM operations WHERE state = ? "
                "ORDER BY run_id, ord, id",
                ("planned",),
            ).fetchall()
        assert any("ix_operations_planned" in str(row) for row in plan)
        # the crashed run's intent is found through the new index and reconciled
        report = recover(h, ap)
        assert [(i.op.op_id, i.outcome) for i in report.items] == [("op-b", "not_done")]
        assert report.runs == [2]
        # the finished run is still undone from its v1 rows
        assert h.last_undoable_run() == 1
        result = undo_run(h, 1, app_paths=ap)
        assert result.ok and len(result.done) == 1
        assert a_src.read_text() == "A" and b_src.read_text() == "B"
        assert h.run(1).undone == 1
        # new runs journal into the migrated table
        journal = h.journal(h.start_run("run"))
        op = Operation(kind=OpKind.MOVE, src=str(a_src), dst=str(tmp_path / "out" / "a.txt"))
        journal.record_intents([Intent(op, op.dst)])
        journal.record_results([OpResult(op, OpStatus.SKIPPED, reason="test")])
        assert [r.state for r in h.operations(journal.run_id)] == ["skipped"]
    # opening again is a no-op (and an interrupted migration can run again)
    with History(db) as h:
        assert h.schema_version == 4
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        MIGRATIONS[1](conn)
        MIGRATIONS[2](conn)
        MIGRATIONS[3](conn)
    engine.dispose()
    assert _index_sql(db) == indexes


def test_a_version_2_undo_of_a_copy_is_rewritten_and_can_itself_be_undone(
    tmp_path: Path,
) -> None:
    """Version 2 kept a removed copy's path in ``dst`` and the original in ``src``."""
    db = tmp_path / "h.sqlite"
    _v1_database(db, tmp_path)
    original, copy = tmp_path / "in" / "b.txt", tmp_path / "out" / "b-copy.txt"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_info SET version = 2")
        conn.execute("UPDATE runs SET status = 'ok'")
        conn.execute("DELETE FROM operations")
        conn.execute(
            "INSERT INTO runs (id, mode, status, started_at, planned, done, skipped, failed, "
            "problems, undo_of) VALUES (3, 'undo', 'ok', '2024-01-02 03:04:05', 1, 1, 0, 0, 0, 2)"
        )
        conn.execute(
            "INSERT INTO operations (run_id, seq, ord, op_id, kind, rule, action, state, src, "
            "planned_dst, dst, check_inode) "
            "VALUES (3, 0, 1, 'op-rc', 'remove_copy', 'r', 'undo', 'done', ?, ?, ?, 1)",
            (os.fsencode(original), os.fsencode(copy), os.fsencode(copy)),
        )
    with History(db) as h:
        (rec,) = h.operations(3)
        assert (rec.kind, rec.src, rec.same_as, rec.final_dst) == (
            "remove_copy",
            str(copy),
            str(original),
            None,
        )
        # undoing that undo makes the copy again, from the original
        result = undo_run(h, 3, app_paths=resolve_paths(db_path=db))
        assert result.ok, result.to_dict()
    assert copy.read_text() == original.read_text() == "B"


def _v1_postgres(url: str, tmp: Path) -> None:
    """The same version-1 history as :func:`_v1_database`, on PostgreSQL.

    The tables are made as this code makes them, then taken back to version 1:
    no host/session/locks/detail columns, a full index on ``state`` instead of the
    partial ones.
    """
    from fileorganizer.history.models import metadata
    from fileorganizer.history.store import shared_url

    db = tmp / "v1.sqlite"
    _v1_database(db, tmp)
    engine = create_engine(shared_url(url))
    with engine.begin() as conn, sqlite3.connect(db) as lite:
        metadata.create_all(conn)
        for column in ("host", "session", "locks"):
            conn.exec_driver_sql(f"ALTER TABLE runs DROP COLUMN {column}")
        conn.exec_driver_sql("ALTER TABLE operations DROP COLUMN detail")
        conn.exec_driver_sql("DROP INDEX ix_operations_planned")
        conn.exec_driver_sql("DROP INDEX ix_operations_undone")
        conn.exec_driver_sql("CREATE INDEX ix_operations_state ON operations (state)")
        conn.exec_driver_sql("INSERT INTO schema_info (id, version) VALUES (1, 1)")
        for table in ("runs", "operations"):
            cur = lite.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [d[0] for d in cur.description]
            for row in cur.fetchall():
                values = dict(zip(names, row, strict=True))
                if "check_inode" in values:
                    values["check_inode"] = bool(values["check_inode"])
                cols = ", ".join(names)
                marks = ", ".join(f"%({n})s" for n in names)
                conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", values)
        conn.exec_driver_sql("SELECT setval('runs_id_seq', 2)")
        conn.exec_driver_sql("SELECT setval('operations_id_seq', 2)")
    engine.dispose()
    db.unlink()


def test_a_version_1_history_on_postgresql_migrates_recovers_and_undoes(
    tmp_path: Path, pg_url: str
) -> None:
    """Both migration steps run on PostgreSQL too (ALTER TABLE, partial indexes)."""
    _v1_postgres(pg_url, tmp_path)
    a_src, b_src = tmp_path / "in" / "a.txt", tmp_path / "in" / "b.txt"
    ap = resolve_paths(database_url=pg_url)
    with History(url=pg_url) as h:
        assert h.schema_version == SCHEMA_VERSION == 4
        with h.engine.connect() as conn:
            indexes = dict(
                conn.exec_driver_sql(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'operations'"
                ).all()
            )
            columns = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'runs'"
                )
            }
        assert "ix_operations_state" not in indexes
        assert "WHERE ((state)::text = 'planned'::text)" in indexes["ix_operations_planned"]
        assert {"host", "session", "locks"} <= columns
        report = recover(h, ap)
        assert [(i.op.op_id, i.outcome) for i in report.items] == [("op-b", "not_done")]
        assert report.runs == [2]
        result = undo_run(h, 1, app_paths=ap)
        assert result.ok and len(result.done) == 1
        assert a_src.read_text() == "A" and b_src.read_text() == "B"
        assert h.run(1).undone == 1
        assert h.run(result.run_id or 0).host is not None
    with History(url=pg_url) as h:
        assert h.schema_version == SCHEMA_VERSION


def test_a_version_3_history_gains_the_detail_column_and_keeps_its_rows(tmp_path: Path) -> None:
    """Version 4 adds ``operations.detail`` (a shell command line, the bytes a write added)."""
    db = tmp_path / "h.sqlite"
    with History(db) as h:
        journal = h.journal(h.start_run("run"))
        op = Operation(kind=OpKind.MOVE, src="/s/a", dst="/d/a")
        journal.record_intents([Intent(op, op.dst)])
        journal.record_results([OpResult(op, OpStatus.DONE)])
    with sqlite3.connect(db) as conn:  # what a version-3 file looks like
        conn.execute("ALTER TABLE operations DROP COLUMN detail")
        conn.execute("UPDATE schema_info SET version = 3")
    with History(db) as h:
        assert h.schema_version == 4
        (old,) = h.operations(1)
        assert (old.op_id, old.state, old.detail) == (op.op_id, "done", None)
        from fileorganizer.payloads import ShellSpec

        journal = h.journal(h.start_run("run"))
        shell = Operation(
            kind=OpKind.SHELL,
            src="/s/b",
            message="echo 'b'",
            payload=ShellSpec("echo 'b'", 1, False),
        )
        journal.record_intents([Intent(shell, None)])
        journal.record_results([OpResult(shell, OpStatus.DONE)])
        assert [r.detail for r in h.operations(journal.run_id)] == [b"echo 'b'"]
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(operations)")]
    assert cols[-1] == "detail"
