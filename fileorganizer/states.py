"""The states of runs and operations, as enums (no database code: the CLI imports these cheaply).

:class:`RunMode` (what kind of pass a run was), :class:`RunStatus` (where a run
is, or how it ended) and :class:`OpState` (where one journaled operation is).
The history stores their values; nothing else spells them out.
"""

from __future__ import annotations

from enum import StrEnum

from fileorganizer.operations import OpStatus

__all__ = ["OpState", "RunMode", "RunStatus"]


class RunMode(StrEnum):
    """What kind of pass a run was."""

    RUN = "run"
    SIM = "sim"
    WATCH = "watch"
    UNDO = "undo"
    #: the clean-up recovery applied for runs a crash left unfinished
    RECOVERY = "recovery"

    @property
    def changes_disk(self) -> bool:
        """Whether runs of this mode apply operations (a sim does not)."""
        return self is not RunMode.SIM

    @property
    def undoable(self) -> bool:
        """Whether ``undo`` may pick a run of this mode."""
        return self in (RunMode.RUN, RunMode.WATCH, RunMode.UNDO)


class RunStatus(StrEnum):
    """Where a run is, or how it ended."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    #: a sim: planned, nothing applied
    PLANNED = "planned"


class OpState(StrEnum):
    """Where one journaled operation is."""

    #: journaled before acting; no result yet (recovery reconciles these)
    PLANNED = "planned"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    #: done, then reversed by an undo run (``undone_by``)
    UNDONE = "undone"

    @classmethod
    def of(cls, status: OpStatus) -> OpState:
        """The journal state recording an executor outcome."""
        return _STATE_OF[status]

    @property
    def finished(self) -> bool:
        """Whether the operation has a result."""
        return self is not OpState.PLANNED


_STATE_OF = {
    OpStatus.DONE: OpState.DONE,
    OpStatus.SKIPPED: OpState.SKIPPED,
    OpStatus.FAILED: OpState.FAILED,
}
