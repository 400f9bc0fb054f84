"""A fleet: several hosts organize one shared folder through one PostgreSQL history.

Four processes with different ``FILEORGANIZER_HOST_ID`` run at once over one
folder of 3,000 files (one of them through a symlink to it, one on a folder
inside it): every file is moved exactly once, nothing is lost, the history
equals the disk, and ``undo`` through PostgreSQL restores the tree. A host
killed with SIGKILL mid-run is recovered by the next command of another host,
after which the history again equals the disk.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from history_support import assert_history_matches_disk, content_multiset, open_history, temp_files

from fileorganizer.history import RunMode, RunStatus

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

FILES = 3000


def _share(tmp_path: Path, tree: Any) -> Path:
    """``share/inbox``: 2,400 files at the top, 600 in ``sub/``; ``share/sorted`` empty."""
    share = tmp_path / "share"
    files: dict[str, Any] = {
        f"f{i:04d}.{('txt', 'log', 'dat')[i % 3]}": f"{i}" for i in range(2400)
    }
    files["sub"] = {f"s{i:04d}.txt": f"sub {i}" for i in range(FILES - 2400)}
    tree.make(share / "inbox", files)
    (share / "sorted").mkdir()
    return share


def _rules(location: Path, sorted_dir: Path, *, subfolders: bool) -> str:
    return (
        f'rules:\n  - locations: "{location}"\n    subfolders: {str(subfolders).lower()}\n'
        f'    actions: [{{move: "{sorted_dir}/{{extension}}/"}}]\n'
    )


def _start(host: str, args: list[str], *extra: str) -> subprocess.Popen[str]:
    env = dict(os.environ, FILEORGANIZER_HOST_ID=host, NO_COLOR="1")
    return subprocess.Popen(
        [sys.executable, "-m", "fileorganizer", *args, *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _real(path: str) -> str:
    return os.path.realpath(path)


def test_four_hosts_over_one_share_move_every_file_exactly_once_and_undo_restores(
    tmp_path: Path, tree: Any, write_config: Any, backend: str
) -> None:
    share = _share(tmp_path, tree)
    (tmp_path / "mnt").symlink_to(share)  # one host sees the share through a symlink
    original = tree.read(share)
    before = content_multiset([share])
    whole = write_config(_rules(share / "inbox", share / "sorted", subfolders=True))
    via_link = write_config(
        _rules(tmp_path / "mnt" / "inbox", tmp_path / "mnt" / "sorted", subfolders=True),
        name="link.yaml",
    )
    inner = write_config(
        _rules(share / "inbox" / "sub", share / "sorted", subfolders=False), name="sub.yaml"
    )
    hosts = {
        "host-1": ["run", "-c", str(whole)],
        "host-2": ["run", "-c", str(whole)],
        "host-3": ["run", "-c", str(via_link)],
        "host-4": ["run", "-c", str(inner)],
    }
    procs = {h: _start(h, args, "--wait", "300", "--format", "json") for h, args in hosts.items()}
    outs = {h: p.communicate(timeout=600) for h, p in procs.items()}
    for h, p in procs.items():
        assert p.returncode == 0, (h, outs[h][1][-2000:])

    # every file moved exactly once: all of them in sorted/, none left in the inbox
    assert content_multiset([share]) == before
    assert [f for _, _, fs in os.walk(share / "inbox") for f in fs] == []
    moved = [f for _, _, fs in os.walk(share / "sorted") for f in fs]
    assert len(moved) == len(set(moved)) == FILES
    assert temp_files([share]) == []

    with open_history() as h:
        runs = [r for r in h.runs(None) if r.mode is RunMode.RUN]
        assert {r.host for r in runs} == set(hosts)
        assert all(r.status is RunStatus.OK and r.locks for r in runs)
        done = [o for r in runs for o in h.operations(r.id, states=["done"])]
        assert sum(r.done for r in runs) == len(done) == FILES
        # each source once, by one host; each run's JSON output agrees with its row
        assert len({_real(o.src) for o in done}) == FILES
        for r in runs:
            out = json.loads(outs[r.host or ""][0])
            assert (out["run_id"], out["summary"]["applied"]) == (r.id, r.done)
        # passes over overlapping folders never overlapped in time
        by_start = sorted(runs, key=lambda r: r.started_at)
        for a, b in itertools.pairwise(by_start):
            assert a.finished_at is not None and a.finished_at <= b.started_at, (a, b)
        assert_history_matches_disk(h, [r.id for r in runs])
        undoable = sorted((r.id for r in runs if r.done), reverse=True)

    # undo through PostgreSQL, newest first, from yet another host
    for run_id in undoable:
        proc = _start("host-5", ["undo", str(run_id), "--quiet"])
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
    assert tree.read(share) == original
    with open_history() as h:
        undos = [r for r in h.runs(None) if r.mode is RunMode.UNDO]
        assert sorted(r.undo_of or 0 for r in undos) == sorted(undoable)
        assert {r.host for r in undos} == {"host-5"}


def test_a_host_killed_mid_run_is_recovered_by_another_host_s_next_command(
    tmp_path: Path, tree: Any, write_config: Any, backend: str
) -> None:
    share = _share(tmp_path, tree)
    original = tree.read(share)
    before = content_multiset([share])
    cfg = write_config(_rules(share / "inbox", share / "sorted", subfolders=True))
    victim = _start("host-a", ["run", "-c", str(cfg), "-v"])
    assert victim.stdout is not None
    for _ in range(900):  # mid-run: some batches done, one in flight
        victim.stdout.readline()
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    with open_history() as h:
        (run,) = h.runs(None)
        assert (run.status, run.host) == (RunStatus.RUNNING, "host-a")

    # the next command, on another host, sees host-a's locks gone and recovers its run
    proc = _start("host-b", ["history", "--format", "json"])
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "recovered" not in out  # (what it recovered goes to stderr in text mode only)
    with open_history() as h:
        (run,) = h.runs(None)
        assert run.status is RunStatus.INTERRUPTED and 900 <= run.done < FILES, run
        assert h.pending_operations() == []
        assert_history_matches_disk(h, [r.id for r in h.runs(None)])
    assert content_multiset([share]) == before
    assert temp_files([share]) == []

    # host-b finishes the job, then one undo per run (newest first) restores the tree
    proc = _start("host-b", ["run", "-c", str(cfg), "--quiet"])
    assert proc.wait(timeout=300) == 0
    assert [f for _, _, fs in os.walk(share / "inbox") for f in fs] == []
    with open_history() as h:
        runs = sorted((r.id for r in h.runs(None) if r.mode is RunMode.RUN), reverse=True)
    assert len(runs) == 2
    for run_id in runs:
        proc = _start("host-c", ["undo", str(run_id), "--quiet"])
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
    assert tree.read(share) == original
