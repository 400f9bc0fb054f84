"""Named crash points for fault-injection tests.

``FILEORGANIZER_CRASH_AT=name`` makes the process kill itself (SIGKILL) when
it reaches the point ``name``. The variable is read only at the points. Every
plan (a run, an undo, a recovery, a watch batch) goes through the same
executor, so the same points cover all of them.
"""

from __future__ import annotations

import os
import signal

ENV_CRASH_AT = "FILEORGANIZER_CRASH_AT"

POINTS = (
    "after_intent_commit",
    "mid_copy",
    "after_final_rename",
    "before_source_unlink",
    "before_done_commit",
    "trash_after_info",
    "trash_after_rename",
    "write_after_backup",
    "mid_write",
)


_UNSET = object()
_armed: object = _UNSET


def crashpoint(name: str) -> None:
    """Kill this process here if the crash-at variable names this point.

    The variable is read the first time any point is reached (it is set
    before the process starts), so a point costs one comparison after that.
    """
    global _armed
    if _armed is _UNSET:
        _armed = os.environ.get(ENV_CRASH_AT)
    if _armed == name:
        os.kill(os.getpid(), signal.SIGKILL)
