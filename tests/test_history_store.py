"""The history store: schema, durability settings, exact paths, hash cache, sim runs.

Every test here runs on SQLite and on PostgreSQL (the ``backend`` fixture).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths, new_history
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from fileorganizer import load_config_text
from fileorganizer.errors import HistoryError
from fileorganizer.history import History
from fileorganizer.history.models import SCHEMA_VERSION
from fileorganizer.history.store import shared_url
from fileorganizer.operations import Identity, Intent, Operation, OpKind, OpResult, OpStatus
from fileorganizer.paths import host_id
from fileorganizer.session import SessionOptions, organize

pytestmark = pytest.mark.usefixtures("backend")


def _elsewhere(h: History, sql: str) -> list[tuple[Any, ...]]:
    """Rows read through a connection of its own (as another process would see them)."""
    if h.db_path is not None:
        with sqlite3.connect(h.db_path) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    assert h.url is not None
    engine = create_engine(shared_url(h.url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                for r in conn.execute(text(sql)).all()
            ]
    finally:
        engine.dispose()


def _set_version(h: History, version: int) -> None:
    with h.transaction() as conn:
        conn.execute(text("UPDATE schema_info SET version = :v"), {"v": version})


def test_new_database_has_schema_version_and_durable_commits(tmp_path: Path) -> None:
    with new_history(tmp_path / "h.sqlite") as h:
        assert h.schema_version == SCHEMA_VERSION
        with h.engine.connect() as conn:
            if h.dialect == "sqlite":
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
            else:
                # a commit is durable when it returns, whatever the server's default
                assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
                name = conn.exec_driver_sql("SHOW application_name").scalar()
                assert name == f"fileorganizer {host_id()}:{os.getpid()}"[:63]
        # opening again migrates nothing and keeps every row
        run = h.start_run("run")
    with new_history(tmp_path / "h.sqlite") as h:
        assert h.schema_version == SCHEMA_VERSION and h.run(run).host == host_id()
    assert (h.db_path is None) == (h.dialect == "postgresql")


def test_newer_schema_is_refused_and_garbage_is_a_history_error(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with new_history(db) as h:
        _set_version(h, SCHEMA_VERSION + 1)
    with pytest.raises(HistoryError, match="schema version"):
        new_history(db)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError):
        History(bad)


def test_intents_are_committed_before_results_and_paths_round_trip(tmp_path: Path) -> None:
    src = os.fsdecode(os.fsencode(str(tmp_path)) + b"/\xff\xfe odd \xe9.txt")
    dst = os.fsdecode(os.fsencode(str(tmp_path)) + b"/out/\x80.txt")
    op = Operation(kind=OpKind.MOVE, src=src, dst=dst, identity=Identity(1, 2, 3, 4))
    with new_history(tmp_path / "h.sqlite") as h:
        run = h.start_run("run")
        journal = h.journal(run)
        journal.record_intents([Intent(op, dst, temp_path=dst + ".tmp")])
        # another connection (another process, after a crash) sees the intent
        ((state, raw),) = _elsewhere(h, "SELECT state, src FROM operations")
        assert state == "planned" and raw == os.fsencode(src)
        journal.record_results(
            [
                OpResult(
                    op,
                    OpStatus.DONE,
                    dst=dst,
                    created_dirs=(os.path.dirname(dst),),
                    identity_after=Identity(1, 2, 3, 4),
                )
            ]
        )
        (rec,) = h.operations(run)
        (stored,) = _elsewhere(h, "SELECT dst, after_dev FROM operations")
    assert rec.state == "done" and rec.src == src and rec.final_dst == dst
    assert rec.created_dirs == [os.path.dirname(dst)]
    assert rec.identity == rec.identity_after == Identity(1, 2, 3, 4)
    # a result the intent foresaw (destination and identity as planned) costs no row
    # write of its own: the batch is marked done in one statement
    assert stored == (None, None)


def test_a_result_that_differs_from_its_intent_is_written_in_full(tmp_path: Path) -> None:
    op = Operation(kind=OpKind.MOVE, src="/a/x", dst="/b/x", identity=Identity(1, 2, 3, 4))
    moved = Operation(kind=OpKind.COPY, src="/a/y", dst="/b/y", identity=Identity(1, 5, 3, 4))
    failed = Operation(kind=OpKind.MOVE, src="/a/z", dst="/b/z", identity=Identity(1, 6, 3, 4))
    with new_history(tmp_path / "h.sqlite") as h:
        run = h.start_run("run")
        journal = h.journal(run)
        journal.record_intents([Intent(o, o.dst) for o in (op, moved, failed)])
        journal.record_results(
            [
                # redirected at apply time (the destination appeared)
                OpResult(op, OpStatus.DONE, dst="/b/x 2", identity_after=Identity(1, 2, 3, 4)),
                # a copy: a new identity
                OpResult(moved, OpStatus.DONE, identity_after=Identity(1, 9, 3, 4)),
                OpResult(failed, OpStatus.FAILED, error="disk full"),
            ]
        )
        recs = {r.op_id: r for r in h.operations(run)}
    assert recs[op.op_id].dst == "/b/x 2"
    assert recs[moved.op_id].identity_after == Identity(1, 9, 3, 4)
    assert (recs[failed.op_id].state, recs[failed.op_id].error) == ("failed", "disk full")


def test_hash_cache_is_keyed_by_identity_and_algo(tmp_path: Path) -> None:
    with new_history(tmp_path / "h.sqlite") as h:
        assert h.get_hash(1, 2, 3, 4, "sha256") is None
        h.put_hash(1, 2, 3, 4, "sha256", "abc")
        h.put_hash(1, 2, 3, 4, "sha256", "abd")  # replaces
        assert h.get_hash(1, 2, 3, 4, "sha256") == "abd"
        assert h.get_hash(1, 2, 3, 5, "sha256") is None
        assert h.get_hash(1, 2, 3, 4, "md5") is None


def test_sim_records_nothing_and_needs_no_history(tmp_path: Path, tree: Any) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A"})
    cfg = load_config_text(
        f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    s = organize(cfg, SessionOptions(app_paths=app_paths(), dry_run=True))
    assert s.run_id is None and len(s.plan.operations) == 1
    assert (tmp_path / "in" / "a.txt").exists()
    assert not app_paths().db_path.exists()  # not even created
    with new_history(app_paths().db_path) as h:
        assert h.runs() == []
