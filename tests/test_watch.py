"""Watch mode, through the library: real watchdog observers on real temporary folders.

Every test runs a :class:`Watcher` in a thread with a small ``stable_seconds``
and polls for outcomes with timeouts (no fixed sleeps for what it waits for;
short sleeps only where a test shows that something does *not* happen).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from fileorganizer import load_config_text
from fileorganizer.config import Config
from fileorganizer.history import History
from fileorganizer.operations import OpResult
from fileorganizer.paths import resolve_paths
from fileorganizer.session import SessionOptions, SessionResult
from fileorganizer.watch import (
    Watcher,
    WatchReporter,
    WatchSettings,
    organize_batch,
    read_heartbeat,
)

STABLE = 0.5


class Rec(WatchReporter):
    """Thread-safe record of what the watcher reported."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: list[tuple[float, OpResult]] = []
        self.loops: list[str] = []
        self.missing: list[str] = []
        self.back: list[str] = []
        self.rescans: list[tuple[str, int]] = []
        self.batches = 0

    def applied(self, result: OpResult) -> None:
        with self.lock:
            self.done.append((time.monotonic(), result))

    def batch(self, session: SessionResult) -> None:
        with self.lock:
            self.batches += 1

    def loop_stopped(self, path: str, moves: int, window: float) -> None:
        with self.lock:
            self.loops.append(path)

    def location_missing(self, path: str) -> None:
        with self.lock:
            self.missing.append(path)

    def location_back(self, path: str) -> None:
        with self.lock:
            self.back.append(path)

    def rescanned(self, reason: str, files: int) -> None:
        with self.lock:
            self.rescans.append((reason, files))

    def srcs(self) -> Counter[str]:
        """How many times each source path was acted on."""
        with self.lock:
            return Counter(r.op.src for _, r in self.done)


def wait_for(cond: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Poll ``cond`` until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def zip_rules(src: Path, dst: Path, *, subfolders: bool = False) -> str:
    return f"""
rules:
  - name: zips
    locations: {src}
    subfolders: {str(subfolders).lower()}
    filters:
      - extension: zip
    actions:
      - move: {dst}/
"""


class Harness:
    """Starts watchers in threads and stops them at teardown."""

    def __init__(self) -> None:
        self.running: list[tuple[Watcher, threading.Thread]] = []

    def start(
        self,
        rules: str | Config,
        *,
        organize_fn: Callable[[Config, SessionOptions, Sequence[str]], SessionResult] = (
            organize_batch
        ),
        **settings: Any,
    ) -> tuple[Watcher, Rec]:
        config = load_config_text(rules) if isinstance(rules, str) else rules
        rec = Rec()
        settings.setdefault("stable_seconds", STABLE)
        settings.setdefault("heartbeat_interval", 0.5)
        options = SessionOptions(app_paths=resolve_paths(), reporter=rec)
        watcher = Watcher(config, options, WatchSettings(**settings), organize_fn=organize_fn)
        thread = threading.Thread(target=watcher.run, name="watcher", daemon=True)
        thread.start()
        self.running.append((watcher, thread))
        assert watcher.started.wait(20), "watcher did not start"
        return watcher, rec

    def stop_all(self) -> None:
        for watcher, thread in self.running:
            watcher.stop()
            thread.join(30)
            assert not thread.is_alive(), "watcher did not stop"
        self.running.clear()


@pytest.fixture
def harness() -> Iterator[Harness]:
    h = Harness()
    yield h
    h.stop_all()


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    dst.mkdir()
    return src, dst


def done_ops_in_history() -> list[Any]:
    """Every operation the history records as done, over all watch runs."""
    history = History(resolve_paths().db_path)
    try:
        ops = []
        for run in history.runs(limit=None, modes=["watch"]):
            ops.extend(o for o in history.operations(run.id) if o.state == "done")
        return ops
    finally:
        history.close()


# -- only finished files -------------------------------------------------------------


def test_slowly_written_file_is_moved_once_only_after_the_last_write(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    _, rec = harness.start(zip_rules(src, dst))
    target = src / "slow.zip"
    chunks = 8
    with open(target, "wb") as f:
        for _ in range(chunks):
            f.write(b"x" * 1000)
            f.flush()
            time.sleep(STABLE * 0.6)  # each pause is shorter than stable_seconds
            assert not (dst / "slow.zip").exists(), "moved while still being written"
    last_write = time.monotonic()
    wait_for(lambda: (dst / "slow.zip").exists(), what="the move")
    assert (dst / "slow.zip").read_bytes() == b"x" * 1000 * chunks
    time.sleep(STABLE * 2)
    assert rec.srcs() == Counter({str(target): 1})
    moved_at = rec.done[0][0]
    assert moved_at - last_write >= STABLE * 0.9


def test_browser_download_is_moved_once_under_its_final_name(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    _, rec = harness.start(zip_rules(src, dst))
    temp = src / "x.zip.crdownload"
    with open(temp, "wb") as f:
        for _ in range(5):
            f.write(b"z" * 4096)
            f.flush()
            time.sleep(STABLE * 0.5)
    time.sleep(STABLE * 2)  # the partial name is never acted on, however stable
    assert temp.exists() and not list(dst.iterdir())
    os.rename(temp, src / "x.zip")
    wait_for(lambda: (dst / "x.zip").exists(), what="x.zip to be moved")
    assert (dst / "x.zip").stat().st_size == 5 * 4096
    time.sleep(STABLE * 2)
    assert rec.srcs() == Counter({str(src / "x.zip"): 1})
    assert files_in(src) == [] and files_in(dst) == ["x.zip"]


def test_firefox_style_download_waits_for_its_part_sibling(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    _, rec = harness.start(zip_rules(src, dst))
    (src / "y.zip").write_bytes(b"")  # the placeholder under the final name
    part = src / "y.zip.part"
    part.write_bytes(b"p" * 100)
    time.sleep(STABLE * 3)  # y.zip is stable, but y.zip.part sits beside it
    assert files_in(dst) == []
    with open(part, "ab") as f:
        f.write(b"p" * 100)
    os.replace(part, src / "y.zip")  # test setup: the browser's final rename
    wait_for(lambda: (dst / "y.zip").exists(), what="y.zip to be moved")
    assert (dst / "y.zip").read_bytes() == b"p" * 200
    time.sleep(STABLE * 2)
    assert rec.srcs() == Counter({str(src / "y.zip"): 1})


# -- no misses -----------------------------------------------------------------------


def test_burst_of_2000_files_is_processed_exactly_once_each(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    _, rec = harness.start(zip_rules(src, dst))
    n = 2000
    for i in range(n):
        (src / f"f{i:04d}.zip").write_bytes(b"%d" % i)
    wait_for(lambda: len(rec.done) >= n, timeout=60, what="2000 moves")
    time.sleep(STABLE * 2)
    assert files_in(src) == []
    assert len(files_in(dst)) == n
    counts = rec.srcs()
    assert len(counts) == n and set(counts.values()) == {1}
    ops = done_ops_in_history()
    assert Counter(o.src for o in ops) == counts
    assert {os.path.basename(o.final_dst or "") for o in ops} == set(files_in(dst))


def test_files_created_while_events_are_paused_are_found_by_the_periodic_rescan(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    watcher, rec = harness.start(zip_rules(src, dst), rescan_interval=2.0)
    watcher.pause_events()
    for i in range(20):
        (src / f"lost{i}.zip").write_bytes(b"l")
    wait_for(lambda: watcher.dropped_events >= 40, what="the events to be dropped")
    time.sleep(0.5)  # let the last writes' events arrive (and be dropped) too
    watcher.resume_events()
    wait_for(lambda: len(files_in(dst)) == 20, what="the rescan to pick up lost files")
    assert files_in(src) == []
    assert set(rec.srcs().values()) == {1}
    # the events were dropped, so periodic rescans found them (a rescan can fall
    # while the files are still being written: together they found all 20)
    assert sum(n for reason, n in rec.rescans if reason == "periodic") >= 20


def test_an_observer_warning_such_as_an_overflow_triggers_a_rescan(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    watcher, rec = harness.start(zip_rules(src, dst), rescan_interval=0)
    watcher.pause_events()
    (src / "a.zip").write_bytes(b"a")
    wait_for(lambda: watcher.dropped_events >= 2, what="the events to be dropped")
    time.sleep(0.2)
    watcher.resume_events()
    time.sleep(STABLE * 3)
    assert files_in(dst) == [], "the event was not lost: the test proves nothing"
    logging.getLogger("watchdog.observers.inotify_c").warning(
        "Inotify queue overflowed; filesystem events were lost"
    )
    wait_for(lambda: files_in(dst) == ["a.zip"], what="the overflow rescan")
    assert any(reason == "overflow" for reason, _ in rec.rescans)


def test_a_stopped_observer_is_restarted_and_what_it_missed_is_found(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    watcher, _ = harness.start(zip_rules(src, dst), rescan_interval=0, root_check_interval=0.2)
    observer = watcher._observers._observer
    assert observer is not None
    observer.stop()
    observer.join(10)
    (src / "while-stopped.zip").write_bytes(b"s")
    wait_for(lambda: files_in(dst) == ["while-stopped.zip"], what="the restart rescan")
    (src / "after.zip").write_bytes(b"a")
    wait_for(lambda: "after.zip" in files_in(dst), what="events after the restart")


def test_existing_files_are_handled_by_the_catch_up_pass(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    (src / "old.zip").write_bytes(b"o")
    (src / "keep.txt").write_bytes(b"k")
    _, rec = harness.start(zip_rules(src, dst), rescan_interval=0)
    wait_for(lambda: files_in(dst) == ["old.zip"], what="the catch-up pass")
    assert files_in(src) == ["keep.txt"]
    assert rec.rescans[0][0] == "catch-up"


# -- no loops --------------------------------------------------------------------------


def ping_pong(a: Path, b: Path) -> str:
    return f"""
rules:
  - name: a-to-b
    locations: {a}
    actions:
      - move: {b}/
  - name: b-to-a
    locations: {b}
    actions:
      - move: {a}/
"""


def test_two_rules_that_move_a_file_back_and_forth_do_not_loop(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    a, b = dirs
    _, rec = harness.start(ping_pong(a, b), rescan_interval=0.5)
    (a / "f.txt").write_bytes(b"f")
    wait_for(lambda: len(rec.done) >= 2, what="the first batch")
    time.sleep(STABLE * 6)  # several rescans later: nothing moved again
    # as in `run`, the later rule acts on the earlier rule's output within one
    # plan (a -> b -> a); the watcher then leaves its own result alone
    assert len(rec.done) == 2
    assert files_in(a) == ["f.txt"] and files_in(b) == []


def test_loop_guard_stops_a_file_the_rules_keep_moving_and_reports_it(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    a, b = dirs
    # replan_interval=0: every rescan plans every file again, so only the guard stops it
    _, rec = harness.start(
        ping_pong(a, b), rescan_interval=0.3, replan_interval=0, loop_max_moves=3
    )
    (a / "f.txt").write_bytes(b"f")
    wait_for(lambda: bool(rec.loops), what="the loop guard")
    moves = len(rec.done)
    time.sleep(STABLE * 4)
    # each batch moves it twice (a -> b -> a, as `run` would); the guard stops it
    # once a batch has brought it past loop_max_moves
    assert len(rec.done) == moves == 4
    assert len(files_in(a)) + len(files_in(b)) == 1
    assert rec.loops == [str(a / "f.txt")] or rec.loops == [str(b / "f.txt")]


def test_own_moves_inside_a_watched_tree_do_not_trigger_it_again(
    harness: Harness, tmp_path: Path
) -> None:
    root = tmp_path / "dl"
    root.mkdir()
    rules = f"""
rules:
  - name: zips
    locations: {root}
    subfolders: true
    filters:
      - extension: zip
    actions:
      - move: {root}/archives/{{name}}-sorted.zip
"""
    _, rec = harness.start(rules, rescan_interval=0.5)
    (root / "a.zip").write_bytes(b"a")
    wait_for(lambda: (root / "archives" / "a-sorted.zip").exists(), what="the move")
    time.sleep(STABLE * 5)
    assert len(rec.done) == 1
    assert sorted(p.name for p in (root / "archives").iterdir()) == ["a-sorted.zip"]


# -- robustness ------------------------------------------------------------------------


def test_an_exception_while_handling_one_file_is_logged_and_the_watcher_goes_on(
    harness: Harness, dirs: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    src, dst = dirs

    def flaky(config: Config, options: SessionOptions, only: Sequence[str]) -> SessionResult:
        if any("bad" in p for p in only):
            raise RuntimeError("boom")
        return organize_batch(config, options, only)

    caplog.set_level(logging.ERROR, logger="fileorganizer.watch")
    watcher, _ = harness.start(zip_rules(src, dst), organize_fn=flaky)
    for name in ("good1.zip", "bad.zip", "good2.zip"):
        (src / name).write_bytes(b"x")
    wait_for(lambda: files_in(dst) == ["good1.zip", "good2.zip"], what="the good files")
    wait_for(lambda: watcher.stats.errors == 1, what="the error to be counted")
    (src / "later.zip").write_bytes(b"x")
    wait_for(lambda: "later.zip" in files_in(dst), what="the watcher to go on")
    assert files_in(src) == ["bad.zip"]
    assert any("bad.zip" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_watched_folder_that_disappears_is_reported_and_watched_again(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    _, rec = harness.start(zip_rules(src, dst), rescan_interval=0, root_check_interval=0.2)
    shutil.rmtree(src)
    wait_for(lambda: rec.missing == [str(src)], what="the missing folder report")
    src.mkdir()
    wait_for(lambda: rec.back == [str(src)], what="the folder-back report")
    (src / "new.zip").write_bytes(b"n")
    wait_for(lambda: files_in(dst) == ["new.zip"], what="a file in the re-created folder")


def test_heartbeat_is_written_while_running_and_marked_stopped_after(
    harness: Harness, dirs: tuple[Path, Path]
) -> None:
    src, dst = dirs
    path = resolve_paths().heartbeat_path
    harness.start(zip_rules(src, dst))
    wait_for(lambda: read_heartbeat(path) is not None, what="the heartbeat")
    beat = read_heartbeat(path)
    assert beat is not None and beat[1]["state"] == "running"
    assert beat[1]["pid"] == os.getpid()
    first = path.stat().st_mtime_ns
    wait_for(lambda: path.stat().st_mtime_ns != first, what="the heartbeat to be touched again")
    harness.stop_all()
    beat = read_heartbeat(path)
    assert beat is not None and beat[1]["state"] == "stopped"


def test_settings_are_validated() -> None:
    from fileorganizer.errors import ConfigError

    with pytest.raises(ConfigError):
        WatchSettings(stable_seconds=-1)
    with pytest.raises(ConfigError):
        WatchSettings(loop_max_moves=0)
