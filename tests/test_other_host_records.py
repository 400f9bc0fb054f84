"""Records another host made: its device numbers are its own, its inodes are the share's.

A share mounted on two hosts (NFS, a volume on two Kubernetes nodes) has a
different ``st_dev`` on each. Here the history's device numbers are rewritten
as another host's client would have recorded them; undo and recovery on this
host then still recognise the files (inode, size and mtime agree), while the
same mismatch in a record of this host's own means a different file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths, open_history, run_rules
from sqlalchemy import update

from fileorganizer.history import OpState, RunMode
from fileorganizer.history.models import operations
from fileorganizer.operations import Identity, Intent, Operation, OpKind
from fileorganizer.session import recover, undo

pytestmark = pytest.mark.usefixtures("backend")

OTHER_DEV = 987_654


def _as_seen_by_another_client(run_id: int) -> None:
    """Give the run's identities another device number (as another host's NFS client)."""
    ops = operations.c
    with open_history() as h, h.transaction() as conn:
        conn.execute(
            update(operations)
            .where(ops.run_id == run_id, ops.src_dev.is_not(None))
            .values(src_dev=OTHER_DEV)
        )
        conn.execute(
            update(operations)
            .where(ops.run_id == run_id, ops.after_dev.is_not(None))
            .values(after_dev=OTHER_DEV)
        )


def _rules(tmp_path: Path) -> str:
    return f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{tmp_path}/out/"}}]\n'


def test_undo_on_this_host_of_another_host_s_run_recognises_the_files(
    tmp_path: Path, tree: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A", "b.txt": "B"})
    before = tree.read(tmp_path)
    monkeypatch.setenv("FILEORGANIZER_HOST_ID", "nas-1")
    s = run_rules(_rules(tmp_path))
    assert s.run_id is not None and len(s.result.applied) == 2
    _as_seen_by_another_client(s.run_id)
    # the host that made the records: another device number is another file
    refused = undo(app_paths(), s.run_id, dry_run=True).result
    assert len(refused.refused) == 2 and "different file" in refused.refused[0].reason
    # another host: the same inodes, sizes and mtimes on its own mount are the files
    monkeypatch.setenv("FILEORGANIZER_HOST_ID", "nas-2")
    result = undo(app_paths(), s.run_id).result
    assert result.ok, result.to_dict()
    assert tree.read(tmp_path) == before


def test_another_host_s_interrupted_cross_device_move_is_finished_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after its verified copy and before unlinking the source, on another host."""
    src, dst = tmp_path / "in" / "a.bin", tmp_path / "out" / "a.bin"
    src.parent.mkdir()
    dst.parent.mkdir()
    src.write_bytes(b"payload " * 1000)
    shutil.copy2(src, dst)  # the complete, verified copy (same size and mtime)
    ident = Identity.of(src)
    recorded = Identity(OTHER_DEV, ident.ino, ident.size, ident.mtime_ns)
    monkeypatch.setenv("FILEORGANIZER_HOST_ID", "nas-1")
    with open_history() as h:
        run = h.start_run(RunMode.RUN)  # (no lock keys: its host is judged by its pid)
        op = Operation(kind=OpKind.MOVE, src=str(src), dst=str(dst), identity=recorded)
        h.journal(run).record_intents([Intent(op, str(dst))])
        with h.transaction() as conn:  # the host and process are gone
            conn.exec_driver_sql(f"UPDATE runs SET pid = NULL, locks = NULL WHERE id = {run}")
    monkeypatch.setenv("FILEORGANIZER_HOST_ID", "nas-2")
    with open_history() as h:
        report = recover(h, app_paths())
        (item,) = report.items
        assert item.outcome == "done", item.message
        assert "verified copy" in item.message
        (rec,) = h.operations(run)
        assert rec.state is OpState.DONE
    assert not src.exists() and dst.read_bytes() == b"payload " * 1000
    assert os.listdir(tmp_path / "in") == []
