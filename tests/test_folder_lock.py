"""The one-writer lock on PostgreSQL: advisory locks keyed by folder, held per pass.

Real servers and real processes: a second pass on the same folder (or a folder
inside it, or around it) waits or exits 75 naming who holds it; a pass on
another folder runs at once; a process killed with SIGKILL releases its locks
with its session; a live host's unfinished run is never recovered by another.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from history_support import open_history

from fileorganizer.errors import LockHeldError, LockLostError
from fileorganizer.folder_lock import FolderLock, LockSet, cover, folder_key, recorded_exclusive
from fileorganizer.history import History, RunMode, RunStatus
from fileorganizer.paths import host_id
from fileorganizer.session import recover_now

pytestmark = pytest.mark.postgres


# -- keys and covers (no server) -----------------------------------------------------


def test_keys_are_stable_64_bit_and_differ_per_folder() -> None:
    assert folder_key("/share/inbox") == folder_key("/share/inbox")
    assert folder_key("/share/inbox") != folder_key("/share/inbox2")
    assert -(2**63) <= folder_key("/") < 2**63
    # a fixed value: hosts running different versions must agree on the key
    assert folder_key("/share/inbox") == int.from_bytes(
        __import__("hashlib")
        .blake2b(b"fileorganizer folder\0/share/inbox", digest_size=8)
        .digest(),
        "big",
        signed=True,
    )


def test_cover_keeps_the_outermost_folders_and_merges_past_the_limit() -> None:
    assert cover(["/a/b", "/a", "/a-b/c", "/a/b/c", "/x"]) == ["/a", "/a-b/c", "/x"]
    # 40 folders two levels down: their parents are still too many, so /data
    assert cover([f"/data/{i}/deep" for i in range(40)], limit=32) == ["/data"]
    # only the deepest level is merged first
    mixed = [f"/d/{i}" for i in range(3)] + ["/d/x/y/z1", "/d/x/y/z2"]
    assert cover(mixed, limit=4) == ["/d/0", "/d/1", "/d/2", "/d/x/y"]
    assert cover([f"/d/{i}" for i in range(5)]) == [f"/d/{i}" for i in range(5)]


def test_a_lock_set_owns_its_folders_and_shares_their_parents(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    ls = LockSet.of([str(tmp_path / "link" / "in")])
    # the folder as given and by its real path, exclusively; every parent shared
    assert set(ls.exclusive.values()) == {str(tmp_path / "link" / "in"), str(real / "in")}
    assert str(tmp_path) in ls.shared.values() and "/" in ls.shared.values()
    assert not set(ls.exclusive) & set(ls.shared)
    assert recorded_exclusive(ls.record()) == sorted(ls.exclusive)


# -- against the server ------------------------------------------------------------------


@pytest.fixture
def hist(pg_url: str) -> Any:
    with History(url=pg_url) as h:
        yield h


def _lock(h: History, *folders: Path, wait: float = 0.0) -> FolderLock:
    return FolderLock(h, [str(f) for f in folders], wait)


def test_same_nested_and_sibling_folders(tmp_path: Path, hist: History, pg_url: str) -> None:
    share = tmp_path / "share"
    with History(url=pg_url) as other, _lock(hist, share / "inbox"):
        # the same folder, a folder inside it, a folder around it: busy
        inbox = share / "inbox"
        for folder, where in (
            (inbox, f"working in {inbox} after"),
            (inbox / "sub", f"working in {inbox} (which holds {inbox / 'sub'})"),
            (share, f"working in a folder inside {share} after"),
        ):
            with pytest.raises(LockHeldError) as info:
                _lock(other, folder, wait=0.2).acquire()
            assert info.value.exit_code == 75
            message = str(info.value)
            assert "another fileorganizer" in message and "--wait" in message, message
            assert f"(host {host_id()}, pid {os.getpid()})" in message, message
            assert where in message, message
        # a sibling folder: at once
        with _lock(other, share / "outbox"):
            pass
    # released with the context: now free
    with _lock(hist, share):
        pass


def test_a_second_pass_waits_for_the_first(tmp_path: Path, hist: History, pg_url: str) -> None:
    first = _lock(hist, tmp_path).acquire()
    threading.Timer(0.4, first.release).start()
    t0 = time.monotonic()
    with History(url=pg_url) as other, _lock(other, tmp_path, wait=20):
        assert time.monotonic() - t0 >= 0.3


def test_a_killed_process_releases_its_locks_with_its_session(
    tmp_path: Path, hist: History, pg_url: str
) -> None:
    script = (
        "import sys, time\n"
        "from fileorganizer.history import History\n"
        "from fileorganizer.folder_lock import FolderLock\n"
        "h = History(url=sys.argv[1])\n"
        "FolderLock(h, [sys.argv[2]]).acquire()\n"
        "print('held', flush=True)\n"
        "time.sleep(600)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, pg_url, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not _lock(hist, tmp_path).try_acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    # the server ends the dead client's session, and its locks with it
    with _lock(hist, tmp_path, wait=20):
        pass


def test_a_run_is_crashed_only_when_its_locks_are_free(
    tmp_path: Path, hist: History, pg_url: str
) -> None:
    with History(url=pg_url) as other:
        live = _lock(other, tmp_path / "a").acquire()
        run = hist.start_run(RunMode.RUN, locks=live.record)
        info = hist.run(run)
        assert info.locks == live.record and info.host and info.pid == os.getpid()
        # (the run's process is this one: only its lock tells)
        probe = _lock(hist)
        probe.acquire()
        try:
            assert not probe.claim(info)  # someone holds its folder: alive
            live.release()
            assert probe.claim(info)  # free: crashed, and now held by the prober
            assert not _lock(other, tmp_path / "a").try_acquire()
            probe.release_claims()
            assert _lock(other, tmp_path / "a").try_acquire()
        finally:
            probe.release()


def test_a_lost_lock_connection_stops_the_pass_before_its_next_batch(
    tmp_path: Path, hist: History, pg_url: str
) -> None:
    lock = _lock(hist, tmp_path).acquire()
    lock.check()  # alive: no error
    assert lock._conn is not None
    pid = lock._conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with History(url=pg_url) as admin, admin.engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid or 0)})")
    journal = hist.journal(hist.start_run(RunMode.RUN), guard=lock.check)
    from fileorganizer.operations import Intent, Operation, OpKind

    op = Operation(kind=OpKind.MOVE, src=str(tmp_path / "a"), dst=str(tmp_path / "b"))
    with pytest.raises(LockLostError) as info:
        journal.record_intents([Intent(op, op.dst)])
    assert info.value.exit_code == 75 and "lost the lock" in str(info.value)
    assert hist.pending_operations() == []  # nothing journaled, nothing touched
    lock.release()


def test_a_lock_lost_during_a_batch_stops_the_pass_between_two_operations(
    tmp_path: Path, hist: History, pg_url: str
) -> None:
    """Not at its next batch: the rest of this batch is never started, and the history
    (the done operation recorded, the rest forgotten) agrees with the disk."""
    from fileorganizer.executor import Executor
    from fileorganizer.operations import Operation, OpKind

    src = tmp_path / "in"
    src.mkdir()
    names = [f"f{i}.txt" for i in range(5)]
    for n in names:
        (src / n).write_text(n)
    lock = _lock(hist, src).acquire()
    assert lock._conn is not None
    pid = int(lock._conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() or 0)
    run_id = hist.start_run(RunMode.RUN)
    journal = hist.journal(run_id, guard=lock.check)
    ops = [
        Operation(kind=OpKind.MOVE, src=str(src / n), dst=str(tmp_path / "out" / n), seq=i)
        for i, n in enumerate(names)
    ]

    def terminate_after_the_first_move() -> None:
        while not (tmp_path / "out" / names[0]).exists():
            time.sleep(0.01)
        with History(url=pg_url) as admin, admin.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")

    killer = threading.Thread(target=terminate_after_the_first_move)
    killer.start()
    slow = {"n": 0}

    def should_stop() -> bool:  # (one operation per ~0.4 s: the lock check comes in between)
        slow["n"] += 1
        if slow["n"] > 1:
            time.sleep(0.4)
        return False

    with pytest.raises(LockLostError):
        Executor(journal=journal, should_stop=should_stop).apply(ops)
    killer.join()
    moved = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert 1 <= len(moved) < len(names)  # stopped within the batch (of 5)
    states = {os.path.basename(o.src): o.state for o in hist.operations(run_id)}
    assert {n for n, st in states.items() if st == "done"} == set(moved)
    assert hist.pending_operations() == []  # the rest forgotten, as never started
    assert sorted(p.name for p in src.iterdir()) == sorted(set(names) - set(moved))
    lock.release()


# -- through the CLI ------------------------------------------------------------------


def _rules(src: Path, dst: Path) -> str:
    return f'rules:\n  - locations: "{src}"\n    actions: [{{move: "{dst}/"}}]\n'


def _env(host: str) -> dict[str, str]:
    return {"FILEORGANIZER_HOST_ID": host}


@pytest.mark.usefixtures("backend")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_cli_run_exits_75_naming_the_host_waits_and_leaves_other_folders_alone(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    tree.make(tmp_path / "in", {"a.txt": "A"})
    tree.make(tmp_path / "other", {"b.txt": "B"})
    cfg = write_config(_rules(tmp_path / "in", tmp_path / "out"))
    other_cfg = write_config(_rules(tmp_path / "other", tmp_path / "out2"), name="o.yaml")
    with open_history() as h:
        held = _lock(h, tmp_path / "in").acquire()
        try:
            busy = run_cli("run", "-c", cfg, env=_env("host-b"))
            assert busy.returncode == 75, busy.stderr
            assert f"pid {os.getpid()}" in busy.stderr and str(tmp_path / "in") in busy.stderr
            assert (tmp_path / "in" / "a.txt").exists()
            undo = run_cli("undo", env=_env("host-b"))
            assert undo.returncode == 2  # nothing to undo yet (not blocked by another folder)
            # another folder: at once
            assert run_cli("run", "-c", other_cfg, env=_env("host-b")).returncode == 0
            threading.Timer(1.0, held.release).start()
            waited = run_cli("run", "-c", cfg, "--wait", "30", env=_env("host-c"))
            assert waited.returncode == 0, waited.stderr
        finally:
            held.release()
        runs = {r.host: r for r in h.runs()}
    assert (tmp_path / "out" / "a.txt").exists() and (tmp_path / "out2" / "b.txt").exists()
    assert set(runs) == {"host-b", "host-c"}
    assert all(r.status is RunStatus.OK and r.locks for r in runs.values())
    assert recorded_exclusive(runs["host-c"].locks) == sorted(
        LockSet.of([str(tmp_path / "in")]).exclusive
    )


@pytest.mark.usefixtures("backend")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_history_recovers_nothing_while_the_run_s_host_holds_its_lock(
    tmp_path: Path, tree: Any, run_cli: Any, write_config: Any
) -> None:
    """A run paused (SIGSTOP) on one host is not "recovered" by another; it then finishes."""
    tree.make(tmp_path / "in", {f"f{i:04d}.txt": str(i) for i in range(1500)})
    cfg = write_config(_rules(tmp_path / "in", tmp_path / "out"))
    env = dict(os.environ, FILEORGANIZER_HOST_ID="host-a", NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fileorganizer", "run", "-c", str(cfg), "-v"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    for _ in range(300):
        proc.stdout.readline()
    proc.send_signal(signal.SIGSTOP)
    try:
        seen = run_cli("history", "--format", "json", env=_env("host-b"))
        assert seen.returncode == 0, seen.stderr
        with open_history() as h:
            (run,) = h.runs()
            assert (run.status, run.host) == (RunStatus.RUNNING, "host-a")
        blocked = run_cli("run", "-c", cfg, env=_env("host-b"))
        assert blocked.returncode == 75 and "host host-a" in blocked.stderr, blocked.stderr
    finally:
        proc.send_signal(signal.SIGCONT)
    proc.stdout.read()
    assert proc.wait(timeout=120) == 0
    with open_history() as h:
        (run,) = h.runs()
        assert (run.status, run.done) == (RunStatus.OK, 1500)
    assert len(os.listdir(tmp_path / "out")) == 1500


@pytest.mark.usefixtures("backend")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_recover_now_settles_a_dead_host_s_run_and_leaves_a_live_one(
    tmp_path: Path, tree: Any
) -> None:
    from fileorganizer.paths import resolve_paths

    ap = resolve_paths()
    with open_history() as h, History(url=ap.database_url) as other:
        alive = _lock(other, tmp_path / "alive").acquire()
        live_run = h.start_run(RunMode.RUN, locks=alive.record)
        dead = LockSet.of([str(tmp_path / "dead")])
        dead_run = h.start_run(RunMode.RUN, locks=dead.record())
        report = recover_now(ap, h)
        assert report is not None and report.runs == [dead_run]
        assert h.run(live_run).status is RunStatus.RUNNING
        assert h.run(dead_run).status is RunStatus.INTERRUPTED
        alive.release()
        report = recover_now(ap, h)
        assert report is not None and report.runs == [live_run]
