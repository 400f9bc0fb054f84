"""The history: runs and operations in SQLite, crash recovery, undo.

- :class:`History` opens (creating or migrating) the database; it is also the
  planner's content-hash cache.
- :class:`RunJournal` is the executor's journal for one run.
- :func:`recover` reconciles intents a crashed run left unfinished.
- :func:`undo_run` reverses a run, file by file.

The names are imported on first use (PEP 562), so importing the store (for
``History``) does not also import recovery, undo and the filesystem operations
they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fileorganizer._lazy import lazy_names

if TYPE_CHECKING:
    from fileorganizer.history.recovery import RecoveryItem, RecoveryReport, recover
    from fileorganizer.history.store import History, OpRecord, RunInfo, RunJournal
    from fileorganizer.history.undo import UndoResult, UndoStep, undo_run

#: Where each public name lives.
_MODULE_OF = {
    "History": "store",
    "OpRecord": "store",
    "RunInfo": "store",
    "RunJournal": "store",
    "RecoveryItem": "recovery",
    "RecoveryReport": "recovery",
    "recover": "recovery",
    "UndoResult": "undo",
    "UndoStep": "undo",
    "undo_run": "undo",
}

__all__ = [
    "History",
    "OpRecord",
    "RecoveryItem",
    "RecoveryReport",
    "RunInfo",
    "RunJournal",
    "UndoResult",
    "UndoStep",
    "recover",
    "undo_run",
]


__getattr__, __dir__ = lazy_names(
    globals(), {n: f"{__name__}.{m}" for n, m in _MODULE_OF.items()}, __all__
)
