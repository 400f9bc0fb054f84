"""The history store: schema, durability settings, exact paths, hash cache, sim runs."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths

from fileorganizer import load_config_text
from fileorganizer.errors import HistoryError
from fileorganizer.history import History
from fileorganizer.history.models import SCHEMA_VERSION
from fileorganizer.operations import Identity, Intent, Operation, OpKind, OpResult, OpStatus
from fileorganizer.session import SessionOptions, organize


def test_new_database_has_schema_version_wal_and_full_sync(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as h:
        assert h.schema_version == SCHEMA_VERSION
        with h.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_newer_schema_is_refused_and_garbage_is_a_history_error(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    History(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_info SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(HistoryError, match="schema version"):
        History(db)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError):
        History(bad)


def test_intents_are_committed_before_results_and_paths_round_trip(tmp_path: Path) -> None:
    src = os.fsdecode(os.fsencode(str(tmp_path)) + b"/\xff\xfe odd \xe9.txt")
    dst = os.fsdecode(os.fsencode(str(tmp_path)) + b"/out/\x80.txt")
    op = Operation(kind=OpKind.MOVE, src=src, dst=dst, identity=Identity(1, 2, 3, 4))
    with History(tmp_path / "h.sqlite") as h:
        run = h.start_run("run")
        journal = h.journal(run)
        journal.record_intents([Intent(op, dst, temp_path=dst + ".tmp")])
        # another connection (another process, after a crash) sees the intent
        with sqlite3.connect(tmp_path / "h.sqlite") as conn:
            (state, raw) = conn.execute("SELECT state, src FROM operations").fetchone()
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
        with sqlite3.connect(tmp_path / "h.sqlite") as conn:
            stored = conn.execute("SELECT dst, after_dev FROM operations").fetchone()
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
    with History(tmp_path / "h.sqlite") as h:
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
    with History(tmp_path / "h.sqlite") as h:
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
