"""The single-writer lock: a second instance waits or exits 75; nothing is processed twice.

The lock file is SQLite's; two runs at once also run on PostgreSQL (folder locks,
tests/test_folder_lock.py has the rest).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from history_support import app_paths, open_history, run_rules

from fileorganizer.errors import LockHeldError
from fileorganizer.lock import RunLock


def test_second_lock_raises_lock_held_with_exit_code_75() -> None:
    path = app_paths().lock_path
    with RunLock(path), pytest.raises(LockHeldError) as info:
        RunLock(path).acquire()
    assert info.value.exit_code == 75
    assert str(path) in str(info.value)
    assert path.exists()  # the lock file is never deleted


def test_second_lock_waits_until_released() -> None:
    path = app_paths().lock_path
    first = RunLock(path).acquire()
    threading.Timer(0.3, first.release).start()
    t0 = time.monotonic()
    with RunLock(path, wait=10):
        assert time.monotonic() - t0 >= 0.2
    assert path.exists()


def test_run_while_locked_exits_75(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A"})
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    with RunLock(app_paths().lock_path):
        proc = run_cli("run", "-c", cfg)
        undo = run_cli("undo")
    assert proc.returncode == 75, proc.stderr
    assert "another fileorganizer" in proc.stderr and "--wait" in proc.stderr
    assert undo.returncode == 75
    assert (tmp_path / "in" / "a.txt").exists()
    with pytest.raises(LockHeldError), RunLock(app_paths().lock_path):
        run_rules(cfg.read_text())


@pytest.mark.usefixtures("backend")
def test_two_runs_at_once_one_works_nothing_processed_twice(
    tmp_path: Path, tree: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {f"f{i:03}.txt": str(i) for i in range(200)})
    cfg = write_config(
        f'rules:\n  - locations: "{tmp_path}/in"\n    actions: [{{move: "{tmp_path}/out/"}}]\n'
    )
    cmd = [sys.executable, "-m", "fileorganizer", "run", "-c", str(cfg), "--format", "json"]
    # one without --wait (exits 75 if it loses the race), one that waits
    cmds = [cmd, [*cmd, "--wait", "60"]]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in cmds]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes in ([0, 0], [0, 75]), [o[1] for o in outs]
    assert len(list((tmp_path / "out").iterdir())) == 200
    assert list((tmp_path / "in").iterdir()) == []
    with open_history() as h:
        runs = h.runs()
        done = [o for r in runs for o in h.operations(r.id, states=["done"])]
    assert len(done) == 200  # each file moved exactly once, by one of the two
    assert len({o.src for o in done}) == 200
    if len(runs) == 2:  # the second waited: the runs did not overlap
        a, b = sorted(runs, key=lambda r: r.id)
        assert a.finished_at is not None and a.finished_at <= b.started_at
