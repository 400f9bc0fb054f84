"""The watcher's heartbeat file: written while it runs, read by ``status``.

No watchdog here, so ``fileorganizer status`` loads none.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any


def write_heartbeat(path: os.PathLike[str] | str, data: dict[str, Any]) -> None:
    """Write the heartbeat file (the tool's own state; its mtime is what ``status`` reads)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")


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
