"""The watcher's heartbeat file, and whether the process that wrote it still lives.

The watcher rewrites a small JSON file in the data directory at a regular
interval; ``fileorganizer status`` (a container's health check) reads its age.
A fresh heartbeat is not enough on its own: a watcher killed with ``SIGKILL``
leaves one behind that stays fresh for up to a minute. So each heartbeat also
records who wrote it (:func:`process_identity`): the pid, the process's start
time, the boot id, the pid namespace and the host name. When ``status`` runs
where that pid means the same process (same boot, same pid namespace: the same
host or container), :func:`owner_liveness` tells at once whether the writer is
still alive, and the recorded start time keeps a reused pid from passing for it.
Elsewhere (another container sharing the volume) it cannot tell, and only the
age counts.
"""

from __future__ import annotations

import json
import os
import socket
import time
from enum import StrEnum
from pathlib import Path
from typing import Any

#: The key of the writer's identity in the heartbeat.
OWNER_KEY = "owner"


class WatcherState(StrEnum):
    """What a watcher's heartbeat says it is doing."""

    RUNNING = "running"
    STOPPED = "stopped"


_PROC = Path("/proc")


class Liveness(StrEnum):
    """What can be said about the process that wrote a heartbeat."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # another host, boot or pid namespace: its pid means nothing here


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None


def _boot_id() -> str | None:
    return _read(_PROC / "sys" / "kernel" / "random" / "boot_id")


def _pid_namespace() -> str | None:
    try:
        st = os.stat(_PROC / "self" / "ns" / "pid")
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}"


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """The state letter and start time (clock ticks after boot) of ``pid``, from /proc."""
    text = _read(_PROC / str(pid) / "stat")
    if not text:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]


def process_identity(pid: int | None = None) -> dict[str, Any]:
    """Who a process is, in a form another process can check later (see module doc)."""
    pid = os.getpid() if pid is None else pid
    stat = _proc_stat(pid)
    return {
        "pid": pid,
        "start": stat[1] if stat else None,
        "boot_id": _boot_id(),
        "pid_ns": _pid_namespace(),
        "host": socket.gethostname(),
    }


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    except OSError:
        return False
    return True


def owner_liveness(owner: object) -> Liveness:
    """Whether the process described by ``owner`` (a :func:`process_identity`) still lives.

    ``UNKNOWN`` when it ran on another host, boot or pid namespace, or the
    record is incomplete. A zombie (killed, not yet reaped) counts as dead.
    """
    if not isinstance(owner, dict):
        return Liveness.UNKNOWN
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return Liveness.UNKNOWN
    here = process_identity()
    if owner.get("boot_id") and here["boot_id"]:
        if owner["boot_id"] != here["boot_id"] or owner.get("pid_ns") != here["pid_ns"]:
            return Liveness.UNKNOWN
        if not owner.get("start"):
            return Liveness.UNKNOWN
        stat = _proc_stat(pid)
        if stat is None or stat[0] in ("Z", "X", "x") or stat[1] != owner["start"]:
            return Liveness.DEAD  # gone, a zombie, or the pid now belongs to another process
        return Liveness.ALIVE
    # no /proc (macOS): the pid alone, on the same host; a reused pid passes for alive
    if owner.get("boot_id") or here["boot_id"] or owner.get("host") != here["host"]:
        return Liveness.UNKNOWN
    return Liveness.ALIVE if _pid_exists(pid) else Liveness.DEAD


def write_heartbeat(path: os.PathLike[str] | str, data: dict[str, Any]) -> None:
    """Write the heartbeat file (the tool's own state; its mtime is what ``status`` reads).

    The identity of the writing process is added under ``"owner"``.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    record = {**data, OWNER_KEY: process_identity()}
    p.write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")


def read_heartbeat(path: os.PathLike[str] | str) -> tuple[float, dict[str, Any]] | None:
    """The heartbeat's age in seconds and its content, or None when there is none."""
    p = Path(path)
    try:
        age = time.time() - p.stat().st_mtime
        text = p.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
    return age, data if isinstance(data, dict) else {}
