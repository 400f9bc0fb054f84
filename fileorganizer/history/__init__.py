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

import importlib
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    """Import a public name's module when the name is first asked for."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
