"""``--log-file PATH``: every per-file line and the summary, each with a timestamp.

A log file is read later, by someone who was not watching: so every line
carries its local time and a level, whatever ``-v``/``-q`` say for the
terminal. Lines are buffered (one write per many lines) and the timestamp is
formatted once per second, so logging a million operations stays cheap.
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from fileorganizer.cli.common import safe_text

#: like the watcher's log (``%(asctime)s %(levelname)s %(message)s``)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Level(StrEnum):
    """A log line's level."""

    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class LogFile:
    """An append-only, timestamped log of one command."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = open(  # noqa: SIM115 (closed by close())
            path, "a", encoding="utf-8", errors="backslashreplace", buffering=1 << 16
        )
        self._second = -1
        self._stamp = ""

    def _now(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime(TIME_FORMAT, time.localtime(now))
        return self._stamp

    def write(self, text: str, level: Level = Level.INFO) -> None:
        """Log ``text`` (each of its lines gets the timestamp and level)."""
        prefix = f"{self._now()} {level.value} "
        for line in text.splitlines() or [""]:
            self._file.write(prefix + safe_text(line) + "\n")

    def close(self) -> None:
        """Flush and close the file."""
        if not self._file.closed:
            self._file.close()


def open_log(path: Path | None) -> LogFile | None:
    """Open ``--log-file`` (None when not given). An unwritable path is a usage error."""
    if path is None:
        return None
    from fileorganizer.cli.common import fail

    try:
        return LogFile(path.expanduser())
    except OSError as exc:
        fail(f"cannot write the log file given on the command line ({path}): {exc.strerror}")
