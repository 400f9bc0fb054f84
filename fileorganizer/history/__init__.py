"""The history: runs and operations in SQLite, crash recovery, undo.

- :class:`History` opens (creating or migrating) the database; it is also the
  planner's content-hash cache.
- :class:`RunJournal` is the executor's journal for one run.
- :func:`recover` reconciles intents a crashed run left unfinished.
- :func:`undo_run` reverses a run, file by file.
"""

from fileorganizer.history.recovery import RecoveryItem, RecoveryReport, recover
from fileorganizer.history.store import History, OpRecord, RunInfo, RunJournal
from fileorganizer.history.undo import UndoResult, UndoStep, undo_run

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
