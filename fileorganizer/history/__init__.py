"""The history: runs and their operations in a database; undo and recovery as plans.

- :class:`History` opens (creating or migrating) the database; it is also the
  planner's content-hash cache.
- :class:`RunJournal` is the executor's journal for one run.
- :func:`plan_undo` turns a recorded run into the plan that reverses it;
  :func:`fileorganizer.api.undo_run` applies that plan.
- :func:`plan_recovery` decides what crashed runs left unfinished; the session
  applies what that needs (:func:`fileorganizer.session.recover`).
- :class:`RunMode`, :class:`RunStatus` and :class:`OpState` are the run modes,
  run statuses and operation states.

The names are imported on first use (PEP 562), so importing the records does
not import the store, and importing the store does not import undo or recovery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fileorganizer._lazy import lazy_names

if TYPE_CHECKING:
    from fileorganizer.history.journal import RunJournal
    from fileorganizer.history.records import (
        OpRecord,
        OpState,
        Outcome,
        RecoveryItem,
        RecoveryReport,
        RunInfo,
        RunMode,
        RunStatus,
    )
    from fileorganizer.history.recovery import RecoveryPlan, plan_recovery
    from fileorganizer.history.store import History
    from fileorganizer.history.undo import UndoResult, plan_undo

#: Where each public name lives.
_MODULE_OF = {
    "History": "store",
    "RunJournal": "journal",
    "OpRecord": "records",
    "OpState": "records",
    "RunInfo": "records",
    "RunMode": "records",
    "RunStatus": "records",
    "Outcome": "records",
    "RecoveryItem": "records",
    "RecoveryPlan": "recovery",
    "RecoveryReport": "records",
    "plan_recovery": "recovery",
    "UndoResult": "undo",
    "plan_undo": "undo",
}

__all__ = [
    "History",
    "OpRecord",
    "OpState",
    "Outcome",
    "RecoveryItem",
    "RecoveryPlan",
    "RecoveryReport",
    "RunInfo",
    "RunJournal",
    "RunMode",
    "RunStatus",
    "UndoResult",
    "plan_recovery",
    "plan_undo",
]


__getattr__, __dir__ = lazy_names(
    globals(), {n: f"{__name__}.{m}" for n, m in _MODULE_OF.items()}, __all__
)
