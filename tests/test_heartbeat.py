"""The heartbeat's writer identity: a killed watcher shows as not running at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fileorganizer.heartbeat import (
    OWNER_KEY,
    Liveness,
    owner_liveness,
    process_identity,
    read_heartbeat,
    write_heartbeat,
)
from fileorganizer.paths import resolve_paths

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def wait_for(cond: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_this_process_is_alive_and_the_heartbeat_records_it(tmp_path: Path) -> None:
    path = tmp_path / "beat"
    write_heartbeat(path, {"state": "running", "pid": os.getpid()})
    beat = read_heartbeat(path)
    assert beat is not None
    owner = beat[1][OWNER_KEY]
    assert owner["pid"] == os.getpid()
    assert owner_liveness(owner) is Liveness.ALIVE


@linux_only
def test_an_exited_process_and_a_zombie_are_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        wait_for(lambda: process_identity(child.pid)["start"] is not None, what="the child")
        owner = process_identity(child.pid)
        assert owner_liveness(owner) is Liveness.ALIVE
        child.kill()
        # not reaped yet: a zombie with the same pid and start time
        wait_for(
            lambda: Path(f"/proc/{child.pid}/stat").read_text().split(") ")[1][0] == "Z",
            what="the zombie",
        )
        assert owner_liveness(owner) is Liveness.DEAD
    finally:
        child.kill()
        child.wait()
    assert owner_liveness(owner) is Liveness.DEAD


@linux_only
def test_a_reused_pid_is_not_taken_for_the_writer() -> None:
    owner = process_identity()
    reused = {**owner, "start": str(int(owner["start"]) + 1)}  # same pid, another process
    assert owner_liveness(reused) is Liveness.DEAD


@linux_only
@pytest.mark.parametrize(
    "change",
    [
        {"boot_id": "00000000-0000-0000-0000-000000000000"},  # written before a reboot
        {"pid_ns": "0:1"},  # another container's pid namespace
        {"start": None},
        {"pid": "12"},
        {"pid": 0},
    ],
)
def test_a_writer_elsewhere_or_an_odd_record_is_unknown(change: dict[str, Any]) -> None:
    owner = {**process_identity(), **change}
    assert owner_liveness(owner) is Liveness.UNKNOWN


def test_no_owner_is_unknown() -> None:
    assert owner_liveness(None) is Liveness.UNKNOWN
    assert owner_liveness("1234") is Liveness.UNKNOWN


def start_watcher(folder: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "fileorganizer", "watch", str(folder)]
    cmd += ["--heartbeat-interval", "0.2", "--no-log-stderr"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def status(run_cli: Callable[..., Any]) -> tuple[int, dict[str, Any]]:
    proc = run_cli("status", "--format", "json")
    return proc.returncode, json.loads(proc.stdout)


@linux_only
def test_status_says_not_running_at_once_for_a_sigkilled_watcher(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    heartbeat = resolve_paths().heartbeat_path
    proc = start_watcher(folder)
    try:
        wait_for(heartbeat.exists, what="the watcher's first heartbeat")
        code, info = status(run_cli)
        assert code == 0, info
        assert info["watcher"] == "running" and info["process"] == "alive"
        assert info["pid"] == proc.pid
        proc.send_signal(signal.SIGKILL)
        wait_for(
            lambda: Path(f"/proc/{proc.pid}/stat").read_text().split(") ")[1][0] == "Z",
            what="the watcher to die",
        )
        # the heartbeat is seconds old at most, and the process is a zombie
        code, info = status(run_cli)
        assert code == 1, info
        assert info["alive"] is False and info["process"] == "dead"
        assert info["age_seconds"] < 60
        assert info["watcher"].startswith("not running")
    finally:
        proc.kill()
        proc.wait()
    code, info = status(run_cli)  # reaped: the pid is gone
    assert code == 1 and info["process"] == "dead"
    text = run_cli("status")
    assert text.returncode == 1 and f"process {proc.pid} is gone" in text.stdout


@linux_only
def test_status_still_reports_a_stopped_watcher_as_stopped(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    heartbeat = resolve_paths().heartbeat_path
    proc = start_watcher(folder)
    try:
        wait_for(heartbeat.exists, what="the watcher's first heartbeat")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
    code, info = status(run_cli)
    assert code == 1 and info["watcher"] == "stopped"
