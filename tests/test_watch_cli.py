"""``fileorganizer watch`` and ``status`` through the CLI: a real process, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fileorganizer.history import History
from fileorganizer.paths import resolve_paths
from fileorganizer.watch import write_heartbeat


def wait_for(cond: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def start_watch(*args: str | os.PathLike[str]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NO_COLOR="1")
    cmd = [sys.executable, "-m", "fileorganizer", "watch", *(os.fspath(a) for a in args)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigterm_during_a_burst_exits_0_and_the_history_agrees_with_the_disk(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    dst.mkdir()
    cfg = write_config(
        f"rules:\n  - name: all\n    locations: {src}\n    actions:\n      - move: {dst}/\n"
    )
    proc = start_watch("-c", cfg, "--stable-seconds", "0.3", "--heartbeat-interval", "0.2")
    heartbeat = resolve_paths().heartbeat_path
    try:
        wait_for(heartbeat.exists, what="the watcher to start")
        n = 3000
        stop_writing = threading.Event()

        def burst() -> None:
            for i in range(n):
                if stop_writing.is_set():
                    return
                (src / f"f{i:05d}.dat").write_bytes(b"%d" % i)
                if i % 100 == 0:
                    time.sleep(0.02)

        writer = threading.Thread(target=burst)
        writer.start()
        wait_for(lambda: len(os.listdir(dst)) >= 50, what="the first moves")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        stop_writing.set()
        writer.join()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # 0, or 143 (128 + SIGTERM) when the signal cut a batch short (see `watch --help`)
    assert proc.returncode in (0, 143), err.decode(errors="replace")
    moved, left = set(os.listdir(dst)), set(os.listdir(src))
    assert not moved & left
    assert len(moved) >= 50
    history = History(resolve_paths().db_path)
    try:
        assert history.unfinished_runs() == []
        runs = history.runs(limit=None, modes=["watch"])
        assert runs and all(r.mode == "watch" for r in runs)
        cut_short = [r for r in runs if r.status == "interrupted"]
        assert len(cut_short) == (1 if proc.returncode == 143 else 0)
        ops = [o for r in runs for o in history.operations(r.id)]
    finally:
        history.close()
    done = [o for o in ops if o.state == "done"]
    assert {os.path.basename(o.target or "") for o in done} == moved
    assert len(done) == len(moved)
    assert all(o.state in ("done", "skipped") for o in ops)
    beat = json.loads(heartbeat.read_text())
    assert beat["state"] == "stopped"


def test_watch_logs_to_a_rotating_log_file_and_verbose_shows_decisions(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    dst.mkdir()
    cfg = write_config(
        f"rules:\n  - name: z\n    locations: {src}\n    filters:\n      - extension: zip\n"
        f"    actions:\n      - move: {dst}/\n"
    )
    proc = start_watch("-c", cfg, "--stable-seconds", "0.2", "--verbose")
    try:
        wait_for(resolve_paths().heartbeat_path.exists, what="the watcher to start")
        (src / "a.zip").write_bytes(b"a")
        wait_for(lambda: (dst / "a.zip").exists(), what="the move")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    log_text = resolve_paths().log_file.read_text()
    assert f"move {src / 'a.zip'} -> {dst / 'a.zip'} (rule z)" in log_text
    assert f"pending {src / 'a.zip'}" in log_text  # a --verbose decision
    assert "move" in err.decode()


def test_watch_with_a_missing_location_is_a_usage_error(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    cfg = write_config(
        f"rules:\n  - locations: {tmp_path / 'nope'}\n    actions:\n      - echo: hi\n"
    )
    proc = run_cli("watch", "-c", cfg, timeout=30)
    assert proc.returncode == 2
    assert "nope" in proc.stderr


def test_status_exits_0_only_while_the_heartbeat_is_fresh(
    run_cli: Callable[..., Any],
) -> None:
    path = resolve_paths().heartbeat_path
    proc = run_cli("status")
    assert proc.returncode == 1 and "not running" in proc.stdout
    write_heartbeat(path, {"state": "running", "pid": 123, "interval": 10})
    proc = run_cli("status")
    assert proc.returncode == 0, proc.stdout
    assert "running" in proc.stdout and "data dir" in proc.stdout
    proc = run_cli("status", "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["alive"] is True
    old = time.time() - 600
    os.utime(path, (old, old))
    proc = run_cli("status")
    assert proc.returncode == 1 and "stale" in proc.stdout
    write_heartbeat(path, {"state": "stopped", "pid": 123, "interval": 10})
    proc = run_cli("status", "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["watcher"] == "stopped"
